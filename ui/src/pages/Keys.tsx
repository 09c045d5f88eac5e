import { useState, type FormEvent } from 'react'
import { api, ApiError, dataOf } from '../api/client'
import type { IssuedKey, KeyInfo, NewKey, Role } from '../api/types'
import { useApi } from '../api/useApi'
import { IssuedKeyNotice } from '../components/IssuedKeyNotice'
import { Empty, Show } from '../components/States'
import { formatTime } from '../format'

/** A comma-separated list of names, or null (no limit) when it is empty. */
function scopeList(text: string): string[] | null {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  return names.length === 0 ? null : names
}

/** What a key may use, for the table: its skills and routes, or "everything". */
function scopeText(key: KeyInfo): string {
  const part = (label: string, list: string[] | null) =>
    list === null ? null : list.length === 0 ? `no ${label}` : `${label}: ${list.join(', ')}`
  const parts = [part('skills', key.skills), part('routes', key.routes)].filter((p) => p !== null)
  return parts.length === 0 ? 'everything its role allows' : parts.join('; ')
}

/** Create, list and revoke API keys (admins only). A new key's secret is shown once. */
export function Keys() {
  const [keys, reload] = useApi((s) => dataOf(api.GET('/api/v1/keys', { signal: s })), 'keys')
  const [issued, setIssued] = useState<IssuedKey | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const name = String(data.get('name') ?? '').trim()
    if (!name) {
      setError('Give the key a name, e.g. the team or service that will use it.')
      return
    }
    const days = String(data.get('expires') ?? '').trim()
    const limit = String(data.get('rate') ?? '').trim()
    const body: NewKey = {
      name,
      role: String(data.get('role')) as Role,
      expires_in_days: days ? Number(days) : null,
      rate_limit_per_minute: limit ? Number(limit) : null,
      skills: scopeList(String(data.get('skills') ?? '')),
      routes: scopeList(String(data.get('routes') ?? '')),
    }
    setBusy(true)
    setError(null)
    try {
      setIssued(await dataOf(api.POST('/api/v1/keys', { body })))
      form.reset()
      reload()
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.detail : String(failure))
    } finally {
      setBusy(false)
    }
  }

  const revoke = async (key: KeyInfo) => {
    if (!window.confirm(`Revoke the key "${key.name}" (${key.prefix}…)? Anything using it stops working at once.`)) return
    setError(null)
    try {
      await dataOf(api.DELETE('/api/v1/keys/{key_id}', { params: { path: { key_id: key.id } } }))
      reload()
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.detail : String(failure))
    }
  }

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <form className="key-form" onSubmit={create} aria-label="Create a key">
        <label>
          Name
          <input name="name" required />
        </label>
        <label>
          Role
          <select name="role" defaultValue="user">
            <option value="user">user: run tasks, list skills</option>
            <option value="operator">operator: also analytics and providers</option>
            <option value="admin">admin: everything, keys included</option>
          </select>
        </label>
        <label>
          Expires after (days)
          <input name="expires" type="number" min={1} placeholder="never" />
        </label>
        <label>
          Requests per minute
          <input name="rate" type="number" min={0} placeholder="default" />
        </label>
        <label>
          Only these skills
          <input name="skills" placeholder="all (or e.g. echo, pdf_tool/read)" />
        </label>
        <label>
          Only these LLM routes
          <input name="routes" placeholder="all (or e.g. default_llm_tasks)" />
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
      <Show value={keys} what="keys" onRetry={reload}>
        {(list) =>
          list.length === 0 ? (
            <Empty>No key yet.</Empty>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="keys">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Role</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">May use</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((k) => (
                    <tr key={k.id} data-testid={`key-${k.name}`}>
                      <td>{k.name}</td>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>{k.role}</td>
                      <td>
                        <span className={k.state === 'active' ? 'badge badge-good' : 'badge badge-bad'}>{k.state}</span>
                      </td>
                      <td>{k.created_at ? formatTime(k.created_at) : k.source}</td>
                      <td>{k.expires_at ? formatTime(k.expires_at) : 'never'}</td>
                      <td>{scopeText(k)}</td>
                      <td>
                        {k.source === 'store' && k.state === 'active' && (
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
