import { useState, type FormEvent } from 'react'
import { Navigate, useLocation } from 'react-router'
import { ApiError } from '../api/client'
import { homeFor } from '../auth/roles'
import { useSession } from '../auth/session'

/** Sign in with an API key; it is kept for this browser tab's session only. */
export function SignIn() {
  const { me, notice, signIn } = useSession()
  const location = useLocation()
  const [key, setKey] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  if (me) {
    const from = (location.state as { from?: string } | null)?.from
    return <Navigate to={from && from !== '/signin' ? from : homeFor(me.role)} replace />
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!key.trim()) {
      setError('Enter an API key.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      await signIn(key.trim())
    } catch (failure) {
      setError(
        failure instanceof ApiError
          ? `${failure.detail} Check the key, or ask an admin for one (prax keys create).`
          : `Cannot reach Praximous: ${String(failure)}`,
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Praximous</h1>
        <p>Sign in with an API key. It stays in this tab only, and is forgotten when you close it.</p>
        {notice && (
          <p className="notice" role="alert">
            {notice}
          </p>
        )}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          autoFocus
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined}
        />
        {error && (
          <p id="signin-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
