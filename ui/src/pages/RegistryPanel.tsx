import { useEffect, useRef, useState } from 'react'
import { api, ApiError, dataOf } from '../api/client'
import type { InstallReport, UpdateRequest } from '../api/types'
import { useApi } from '../api/useApi'
import { Empty, Show } from '../components/States'

/** An update whose permission difference is on screen, waiting for the admin's consent. */
interface PendingUpdate {
  name: string
  report: InstallReport
}

/** POST /api/v1/skills/{name}/update with `body` (`{}` at least: the server wants a JSON body). */
function requestUpdate(name: string, body: UpdateRequest): Promise<InstallReport> {
  return dataOf(api.POST('/api/v1/skills/{skill_name}/update', { params: { path: { skill_name: name } }, body }))
}

/** Browse the configured registry; install, update (permission difference first) or remove. */
export function RegistryPanel({ onChanged }: { onChanged: () => void }) {
  const [listing, reload] = useApi((s) => dataOf(api.GET('/api/v1/registry/skills', { signal: s })), 'registry')
  const [busy, setBusy] = useState<string | null>(null)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [pending, setPending] = useState<PendingUpdate | null>(null)
  const consentTitle = useRef<HTMLHeadingElement>(null)

  // Keyboard and screen-reader users land on the question, not on either answer.
  useEffect(() => {
    if (pending) consentTitle.current?.focus()
  }, [pending])

  const act = async (name: string, work: () => Promise<string>) => {
    setBusy(name)
    setMessage(null)
    try {
      setMessage({ ok: true, text: await work() })
      reload()
      onChanged()
    } catch (error) {
      setMessage({ ok: false, text: error instanceof ApiError ? error.detail : String(error) })
    } finally {
      setBusy(null)
    }
  }

  const install = (name: string) =>
    act(name, async () => {
      const report = await dataOf(api.POST('/api/v1/skills/install', { body: { skill: name } }))
      return `Installed ${report.name} ${report.version}${report.publisher ? `, signed by ${report.publisher}` : ''}.`
    })

  const previewUpdate = (name: string) =>
    act(name, async () => {
      const report = await requestUpdate(name, { dry_run: true })
      // A dry run never changes anything; the same version on both sides means up to date.
      if (report.previous === report.version) return `${name} ${report.version} is already the newest version.`
      if (report.widened.length === 0) {
        const done = await requestUpdate(name, {})
        return `Updated ${name} from ${done.previous ?? '?'} to ${done.version}; it asks for no new permission.`
      }
      setPending({ name, report })
      return `${name} ${report.version} asks for more than ${report.previous ?? 'the installed version'}: review below.`
    })

  const acceptUpdate = (update: PendingUpdate) =>
    act(update.name, async () => {
      // Naming the previewed version accepts only what the admin saw, even if a newer one appeared since.
      const done = await requestUpdate(update.name, { accept_permissions: true, version: update.report.version })
      setPending(null)
      return `Updated ${update.name} from ${done.previous ?? '?'} to ${done.version}, with the new permissions.`
    })

  const remove = (name: string) => {
    if (!window.confirm(`Remove the installed skill ${name}? Requests for it will fail (or its built-in will serve again).`)) return
    return act(name, async () => {
      await dataOf(api.DELETE('/api/v1/skills/{skill_name}', { params: { path: { skill_name: name } } }))
      return `Removed ${name}.`
    })
  }

  return (
    <section aria-labelledby="registry-title" className="registry">
      <h2 id="registry-title">Registry</h2>
      {message && (
        <p className={message.ok ? 'notice' : 'field-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      {pending && (
        <div className="consent" role="dialog" aria-labelledby="consent-title">
          <h3 id="consent-title" ref={consentTitle} tabIndex={-1}>
            Update {pending.name} to {pending.report.version}?
          </h3>
          <p>It asks for more than the installed {pending.report.previous}:</p>
          <ul>
            {pending.report.widened.map((change) => (
              <li key={change}>{change}</li>
            ))}
          </ul>
          <button type="button" onClick={() => acceptUpdate(pending)} disabled={busy !== null}>
            Accept and update
          </button>
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      )}
      <Show value={listing} what="the registry" onRetry={reload}>
        {(skills) =>
          skills.length === 0 ? (
            <Empty>The registry holds no skill yet. Publish one with prax skill publish.</Empty>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Skill</th>
                  <th scope="col">Description</th>
                  <th scope="col">Latest</th>
                  <th scope="col">Installed</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {skills.map((skill) => (
                  <tr key={skill.name} data-testid={`registry-${skill.name}`}>
                    <td>{skill.name}</td>
                    <td>{skill.description}</td>
                    <td>{skill.latest ?? '–'}</td>
                    <td>{skill.installed ?? '–'}</td>
                    <td className="actions">
                      {skill.installed == null ? (
                        <button type="button" disabled={busy !== null} onClick={() => install(skill.name)}>
                          Install {skill.name}
                        </button>
                      ) : (
                        <>
                          <button type="button" disabled={busy !== null} onClick={() => previewUpdate(skill.name)}>
                            Update {skill.name}
                          </button>
                          <button type="button" disabled={busy !== null} onClick={() => remove(skill.name)}>
                            Remove {skill.name}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  )
}
