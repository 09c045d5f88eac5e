import { useState, type FormEvent } from 'react'
import { api, ApiError, dataOf } from '../api/client'
import type { IssuedKey, KeyInfo } from '../api/types'
import { useApi } from '../api/useApi'
import { useSession } from '../auth/session'
import { IssuedKeyNotice } from '../components/IssuedKeyNotice'
import { Empty, Show } from '../components/States'
import { formatTime } from '../format'

/**
 * Personal API keys of the user signed in with single sign-on: each has their role, follows it
 * when it changes, and is revoked if they are disabled or lose it.
 */
export function MyKeys() {
  const { me } = useSession()
  const [keys, reload] = useApi((s) => dataOf(api.GET('/api/v1/auth/me/keys', { signal: s })), 'my-keys')
  const [issued, setIssued] = useState<IssuedKey | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const name = String(data.get('name') ?? '').trim()
    if (!name) {
      setError('Give the key a name, e.g. the script or notebook that will use it.')
      return
    }
    const days = String(data.get('expires') ?? '').trim()
    setBusy(true)
    setError(null)
    try {
      setIssued(await dataOf(api.POST('/api/v1/auth/me/keys', { body: { name, expires_in_days: days ? Number(days) : null } })))
      form.reset()
      reload()
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.detail : String(failure))
    } finally {
      setBusy(false)
    }
  }

  const revoke = async (key: KeyInfo) => {
    if (!window.confirm(`Revoke your key "${key.name}"? Anything using it stops working at once.`)) return
    setError(null)
    try {
      await dataOf(api.DELETE('/api/v1/auth/me/keys/{key_id}', { params: { path: { key_id: key.id } } }))
      reload()
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.detail : String(failure))
    }
  }

  return (
    <section aria-labelledby="my-keys-title">
      <h1 id="my-keys-title">My keys</h1>
      <p>Keys for your own scripts. Each has your role ({me?.role}), and stops working if you lose it.</p>
      <form className="key-form" onSubmit={create} aria-label="Create a personal key">
        <label>
          Name
          <input name="name" required />
        </label>
        <label>
          Expires after (days)
          <input name="expires" type="number" min={1} placeholder="never" />
        </label>
        <button type="submit" disabled={busy}>
          Create key
        </button>
      </form>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {issued && <IssuedKeyNotice issued={issued} onDone={() => setIssued(null)} />}
      <Show value={keys} what="your keys" onRetry={reload}>
        {(list) =>
          list.length === 0 ? (
            <Empty>You have no key yet.</Empty>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="my-keys">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Role</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((k) => (
                    <tr key={k.id}>
                      <td>{k.name}</td>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>{k.role}</td>
                      <td>
                        <span className={k.state === 'active' ? 'badge badge-good' : 'badge badge-bad'}>{k.state}</span>
                      </td>
                      <td>{k.created_at ? formatTime(k.created_at) : ''}</td>
                      <td>{k.expires_at ? formatTime(k.expires_at) : 'never'}</td>
                      <td>
                        {k.state === 'active' && (
                          <button type="button" onClick={() => revoke(k)}>
                            Revoke {k.name}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </section>
  )
}
