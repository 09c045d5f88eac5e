import { useEffect, useState, type FormEvent } from 'react'
import { Navigate, useLocation, useSearchParams } from 'react-router'
import { api, ApiError, dataOf } from '../api/client'
import type { SsoInfo } from '../api/types'
import { homeFor } from '../auth/roles'
import { useSession } from '../auth/session'

/**
 * Sign in with an API key (kept for this browser tab's session only) or, when the server
 * offers it, with single sign-on; a browser that already has a single sign-on session goes
 * straight in.
 */
export function SignIn() {
  const { me, notice, signIn, resume } = useSession()
  const location = useLocation()
  const [params] = useSearchParams()
  const [key, setKey] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [sso, setSso] = useState<SsoInfo | null>(null)
  const ssoError = params.get('sso_error')
  const from = (location.state as { from?: string } | null)?.from

  useEffect(() => {
    let live = true
    dataOf(api.GET('/api/v1/auth/sso'))
      .then(async (info) => {
        if (!live) return
        setSso(info)
        // Back from the provider (or a new tab): the session cookie may already be there.
        if (info.enabled && !ssoError) await resume()
      })
      .catch(() => {
        // A server without single sign-on (or an older one): keys only.
      })
    return () => {
      live = false
    }
  }, [resume, ssoError])

  if (me) {
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

  const ssoHref =
    sso?.enabled && sso.login_url
      ? `${sso.login_url}${from && from !== '/signin' ? `?return_to=${encodeURIComponent(from)}` : ''}`
      : null

  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Praximous</h1>
        {notice && (
          <p className="notice" role="alert">
            {notice}
          </p>
        )}
        {ssoError && (
          <p className="field-error" role="alert" data-testid="sso-error">
            Single sign-on failed: {ssoError}
          </p>
        )}
        {ssoHref && (
          <p>
            <a className="button" href={ssoHref} data-testid="sso-sign-in">
              Sign in with {sso?.display_name}
            </a>
          </p>
        )}
        <p>
          {ssoHref ? 'Or sign in with an API key. ' : 'Sign in with an API key. '}
          It stays in this tab only, and is forgotten when you close it.
        </p>
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
