import { useState } from 'react'
import { api, ApiError, dataOf } from '../api/client'
import type { RoleChoice, User } from '../api/types'
import { useApi } from '../api/useApi'
import { Empty, Show } from '../components/States'
import { formatTime } from '../format'

/** Who granted a role, for people: the groups, the default role, or an admin. */
function grantedBy(user: User): string {
  switch (user.role_granted_by) {
    case null:
      return ''
    case 'sso:groups':
      return 'from their groups'
    case 'sso:default_role':
      return 'the default role'
    default:
      return `set by ${user.role_granted_by}`
  }
}

/**
 * The people who signed in with single sign-on (admins only): their groups and role, a role
 * override, and disabling (their sessions and personal keys stop at once).
 */
export function Users() {
  const [users, reload] = useApi((s) => dataOf(api.GET('/api/v1/users', { signal: s })), 'users')
  const [error, setError] = useState<string | null>(null)

  const change = async (user: User, body: { role?: RoleChoice; disabled?: boolean }) => {
    setError(null)
    try {
      await dataOf(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: user.id } }, body }))
      reload()
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.detail : String(failure))
    }
  }

  const disable = (user: User) => {
    if (!window.confirm(`Disable ${user.email ?? user.subject}? Their sessions end and their personal keys are revoked at once.`)) return
    void change(user, { disabled: true })
  }

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <p>People who signed in with single sign-on. Their role comes from their groups unless you set one here.</p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <Show value={users} what="users" onRetry={reload}>
        {(list) =>
          list.length === 0 ? (
            <Empty>Nobody has signed in with single sign-on yet.</Empty>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="users">
                <thead>
                  <tr>
                    <th scope="col">Who</th>
                    <th scope="col">Groups</th>
                    <th scope="col">Role</th>
                    <th scope="col">Set role</th>
                    <th scope="col">State</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((user) => {
                    const who = user.email ?? user.name ?? user.subject
                    return (
                      <tr key={user.id} data-testid={`user-${who}`}>
                        <td>
                          {who}
                          {user.name && user.email && <div className="muted">{user.name}</div>}
                        </td>
                        <td>{user.groups.length ? user.groups.join(', ') : 'none'}</td>
                        <td>
                          {user.role ? <span className="badge">{user.role}</span> : 'none'}
                          <div className="muted">
                            {grantedBy(user)}
                            {user.role_granted_at ? `, ${formatTime(user.role_granted_at)}` : ''}
                          </div>
                        </td>
                        <td>
                          <select
                            className="role-select"
                            aria-label={`Role of ${who}`}
                            value={user.role_override ?? 'from_groups'}
                            onChange={(event) => void change(user, { role: event.target.value as RoleChoice })}
                          >
                            <option value="from_groups">from groups ({user.mapped_role ?? 'none'})</option>
                            <option value="user">user</option>
                            <option value="operator">operator</option>
                            <option value="admin">admin</option>
                          </select>
                        </td>
                        <td>
                          <span className={user.disabled_at ? 'badge badge-bad' : 'badge badge-good'}>
                            {user.disabled_at ? 'disabled' : 'active'}
                          </span>
                        </td>
                        <td>{formatTime(user.last_seen_at)}</td>
                        <td>
                          {user.disabled_at ? (
                            <button type="button" aria-label={`Enable ${who}`} onClick={() => void change(user, { disabled: false })}>
                              Enable
                            </button>
                          ) : (
                            <button type="button" aria-label={`Disable ${who}`} onClick={() => disable(user)}>
                              Disable
                            </button>
                          )}
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </section>
  )
}
