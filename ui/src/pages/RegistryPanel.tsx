import { useEffect, useRef, useState } from 'react'
import { api, ApiError, dataOf } from '../api/client'
import type { InstallReport, UpdateRequest } from '../api/types'
import { useApi } from '../api/useApi'
import { Empty, Show } from '../components/States'

/** An update whose dry run is on screen, waiting for the admin's consent. */
interface PendingUpdate {
  name: string
  report: InstallReport
  /** Why the last consent failed, shown in the dialog; null before any attempt. */
  error: string | null
  /** The consent was refused with 409 (the registry or the installed skill changed): look again. */
  stale: boolean
}

/** POST /api/v1/skills/{name}/update with `body` (`{}` at least: the server wants a JSON body). */
function requestUpdate(name: string, body: UpdateRequest): Promise<InstallReport> {
  return dataOf(api.POST('/api/v1/skills/{skill_name}/update', { params: { path: { skill_name: name } }, body }))
}

/** Whether the dry run needs the admin's consent: wider permissions or another publisher. */
function needsConsent(report: InstallReport): boolean {
  return report.widened.length > 0 || report.previous_publisher != null
}

/**
 * The update that installs exactly what `report` showed: its version and component digest
 * (a 409 otherwise), accepting only the wider permissions and the publisher change it showed.
 */
function consentTo(report: InstallReport): UpdateRequest {
  const body: UpdateRequest = { version: report.version, sha256: report.sha256 }
  if (report.widened.length > 0) body.accept_permissions = true
  if (report.previous_publisher != null) body.accept_publisher_change = true
  return body
}

/** A component digest, short: the first 12 hex digits (the whole one goes in a title). */
function shortDigest(sha256: string): string {
  return sha256.length > 12 ? `${sha256.slice(0, 12)}…` : sha256
}

/** Browse the configured registry; install, update (permission difference first) or remove. */
export function RegistryPanel({ onChanged }: { onChanged: () => void }) {
  const [listing, reload] = useApi((s) => dataOf(api.GET('/api/v1/registry/skills', { signal: s })), 'registry')
  const [busy, setBusy] = useState<string | null>(null)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [pending, setPending] = useState<PendingUpdate | null>(null)
  const consentTitle = useRef<HTMLHeadingElement>(null)
  const shownReport = pending?.report

  // Keyboard and screen-reader users land on the question, not on either answer (once per dry
  // run: a failed consent keeps the focus where it is, and its error is announced as an alert).
  useEffect(() => {
    if (shownReport) consentTitle.current?.focus()
  }, [shownReport])

  /** Run `work`; its text is the notice. A failure goes to `failed` if given, else the notice. */
  const act = async (name: string, work: () => Promise<string>, failed?: (error: unknown, text: string) => void) => {
    setBusy(name)
    setMessage(null)
    try {
      setMessage({ ok: true, text: await work() })
      reload()
      onChanged()
    } catch (error) {
      const text = error instanceof ApiError ? error.detail : String(error)
      if (failed) failed(error, text)
      else setMessage({ ok: false, text })
    } finally {
      setBusy(null)
    }
  }

  const install = (name: string) =>
    act(name, async () => {
      const report = await dataOf(api.POST('/api/v1/skills/install', { body: { skill: name } }))
      return `Installed ${report.name} ${report.version}${report.publisher ? `, signed by ${report.publisher}` : ''}.`
    })

  const previewUpdate = (name: string) => {
    setPending(null)
    return act(name, async () => {
      const report = await requestUpdate(name, { dry_run: true })
      // A dry run never changes anything; the same version on both sides means up to date.
      if (report.previous === report.version) return `${name} ${report.version} is already the newest version.`
      if (!needsConsent(report)) {
        // Still exactly what was checked: a version or component published since is refused (409).
        const done = await requestUpdate(name, { version: report.version, sha256: report.sha256 })
        return `Updated ${name} from ${done.previous ?? '?'} to ${done.version}; it asks for no new permission.`
      }
      setPending({ name, report, error: null, stale: false })
      const reasons = [
        ...(report.widened.length > 0 ? [`asks for more than ${report.previous ?? 'the installed version'}`] : []),
        ...(report.previous_publisher != null ? ['is signed by a different publisher'] : []),
      ]
      return `${name} ${report.version} ${reasons.join(' and ')}: review below.`
    })
  }

  const acceptUpdate = (update: PendingUpdate) =>
    act(
      update.name,
      async () => {
        // Naming the previewed version and component accepts only what the admin saw, even if
        // something else was published since (the server answers 409 then).
        const done = await requestUpdate(update.name, consentTo(update.report))
        setPending(null)
        const accepted = [
          ...(update.report.widened.length > 0 ? ['with the new permissions'] : []),
          ...(update.report.previous_publisher != null ? [`now signed by ${done.publisher ?? 'nobody (unsigned)'}`] : []),
        ]
        return `Updated ${update.name} from ${done.previous ?? '?'} to ${done.version}, ${accepted.join(', ')}.`
      },
      // The dialog stays, with the server's reason in it; after a 409 only a new dry run helps.
      (error, text) => setPending({ ...update, error: text, stale: error instanceof ApiError && error.status === 409 }),
    )

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
          {pending.report.previous_publisher != null && (
            <p className="field-error" data-testid="publisher-change">
              <strong>
                Signed by a different publisher: {pending.report.previous_publisher} → {pending.report.publisher ?? 'unsigned'}
              </strong>{' '}
              Accept only if you know the publisher changed keys.
            </p>
          )}
          {pending.report.widened.length > 0 && (
            <>
              <p>It asks for more than the installed {pending.report.previous}:</p>
              <ul>
                {pending.report.widened.map((change) => (
                  <li key={change}>{change}</li>
                ))}
              </ul>
            </>
          )}
          <p className="muted">
            {pending.report.previous_publisher == null && <>Signed by {pending.report.publisher ?? 'nobody (unsigned)'}. </>}
            Component sha256:{' '}
            <code title={pending.report.sha256} data-testid="consent-digest">
              {shortDigest(pending.report.sha256)}
            </code>
          </p>
          {pending.error != null && (
            <p className="field-error" role="alert">
              {pending.error}
            </p>
          )}
          {pending.stale ? (
            <button type="button" onClick={() => previewUpdate(pending.name)} disabled={busy !== null}>
              Check again
            </button>
          ) : (
            <button type="button" onClick={() => acceptUpdate(pending)} disabled={busy !== null}>
              Accept and update
            </button>
          )}
          <button type="button" onClick={() => setPending(null)} disabled={busy !== null}>
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
