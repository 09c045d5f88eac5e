import { useMemo, useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { api, ApiError, dataOf, looseDataOf } from '../api/client'
import { streamTask } from '../api/stream'
import type { ErrorCode, ProcessResponse, SkillsMap } from '../api/types'
import { useApi } from '../api/useApi'
import { hasRole } from '../auth/roles'
import { useSession } from '../auth/session'
import { SchemaForm } from '../components/SchemaForm'
import { buildRequest, fieldsOf, type ExtraField, type JsonSchema } from '../components/schemaForm'
import { Show } from '../components/States'
import { formatMs } from '../format'

/** What ran, and what came back: the whole answer, or why not and what arrived before. */
type Outcome =
  | { ok: true; response: ProcessResponse; ms: number; streamed: string }
  | { ok: false; status: number; code: ErrorCode | null; detail: string; requestId: string | null; ms: number; delivered: string }

/** The heading of a failed outcome: a stop, an answer cut short, or an error. */
function failureHeading(outcome: Extract<Outcome, { ok: false }>): string {
  if (outcome.code === 'cancelled') return 'Stopped'
  if (outcome.delivered) return 'Incomplete answer'
  return `Error ${outcome.status || ''}`.trim()
}

/** `skill:<name>:<operation>`, `route:<name>`, or `other` (a task type typed by hand). */
function parseTarget(target: string): { kind: 'skill' | 'route' | null; name: string; operation: string } {
  const [kind, name = '', operation = ''] = target.split(':')
  return { kind: kind === 'skill' || kind === 'route' ? kind : null, name, operation }
}

/** Run any skill operation or LLM route with a form made from its JSON Schema. */
export function Console() {
  const { me } = useSession()
  const mayReadRoutes = me ? hasRole(me.role, 'operator') : false
  const [skills, reloadSkills] = useApi((s) => looseDataOf<SkillsMap>(api.GET('/api/v1/skills', { signal: s })), 'skills')
  const [routes] = useApi(
    (s) => (mayReadRoutes ? dataOf(api.GET('/api/v1/providers', { signal: s })).then((b) => Object.keys(b.routes)) : Promise.resolve([])),
    `routes-${mayReadRoutes}`,
  )
  const [target, setTarget] = useState('')
  const [otherTaskType, setOtherTaskType] = useState('')
  const [prompt, setPrompt] = useState('')
  const [values, setValues] = useState<Record<string, string | boolean>>({})
  const [extras, setExtras] = useState<ExtraField[]>([])
  const [problems, setProblems] = useState<string[]>([])
  const [running, setRunning] = useState(false)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  // While a task runs: the text so far, its request id, and how to stop it.
  const [live, setLive] = useState('')
  const [liveRequestId, setLiveRequestId] = useState<string | null>(null)
  const [stopper, setStopper] = useState<AbortController | null>(null)

  const parsed = target === 'other' ? { kind: 'route' as const, name: otherTaskType.trim(), operation: '' } : parseTarget(target)
  const { kind, name, operation } = parsed
  const spec = kind === 'skill' && skills.state === 'ready' ? skills.data[name]?.operations[operation] : undefined
  const fields = useMemo(() => fieldsOf(spec?.params as JsonSchema | undefined), [spec])

  const choose = (next: string) => {
    setTarget(next)
    setExtras([])
    setProblems([])
    const chosen = parseTarget(next)
    // Choosing an operation presets the `operation` field when the schema offers that name.
    const schema = chosen.kind === 'skill' && skills.state === 'ready' ? skills.data[chosen.name]?.operations[chosen.operation]?.params : undefined
    const offered = (schema as JsonSchema | undefined)?.properties?.operation?.enum ?? []
    setValues(offered.includes(chosen.operation) ? { operation: chosen.operation } : {})
  }

  const fillExample = () => {
    const example = spec?.example_request_payload
    if (!example) return
    const next: Record<string, string | boolean> = {}
    const extra: ExtraField[] = []
    for (const [key, value] of Object.entries(example)) {
      if (key === 'task_type') continue
      if (key === 'prompt') {
        setPrompt(String(value))
        continue
      }
      const field = fields.find((f) => f.name === key)
      if (!field) extra.push({ name: key, value: typeof value === 'string' ? value : JSON.stringify(value) })
      else if (field.kind === 'boolean') next[key] = value === true
      else next[key] = typeof value === 'string' ? value : JSON.stringify(value)
    }
    setValues(next)
    setExtras(extra)
  }

  const run = async (event: FormEvent) => {
    event.preventDefault()
    const built = buildRequest(name, prompt, fields, values, extras)
    if (!built.ok) {
      setProblems(built.problems)
      return
    }
    setProblems([])
    setRunning(true)
    setOutcome(null)
    setLive('')
    setLiveRequestId(null)
    const stop = new AbortController()
    setStopper(stop)
    const started = performance.now()
    let delivered = ''
    let taskId: string | null = null
    try {
      const end = await streamTask(
        built.body,
        {
          onStart: (id) => {
            taskId = id
            setLiveRequestId(id)
          },
          onDelta: (text) => {
            delivered += text
            setLive(delivered)
          },
        },
        stop.signal,
      )
      const ms = performance.now() - started
      if (end.kind === 'result') setOutcome({ ok: true, response: end.response, ms, streamed: delivered })
      else setOutcome({ ok: false, status: end.status, code: end.code, detail: end.detail, requestId: end.requestId, ms, delivered: end.delivered || delivered })
    } catch (error) {
      const ms = performance.now() - started
      if (stop.signal.aborted)
        setOutcome({ ok: false, status: 499, code: 'cancelled', detail: 'You stopped the task; the server stopped it too.', requestId: taskId, ms, delivered })
      else if (error instanceof ApiError)
        setOutcome({ ok: false, status: error.status, code: error.code, detail: error.detail, requestId: error.requestId, ms, delivered })
      else setOutcome({ ok: false, status: 0, code: null, detail: `Cannot reach Praximous: ${String(error)}`, requestId: taskId, ms, delivered })
    } finally {
      setRunning(false)
      setStopper(null)
    }
  }

  const requestId = outcome ? (outcome.ok ? outcome.response.request_id : outcome.requestId) : null
  return (
    <section aria-labelledby="console-title">
      <h1 id="console-title">Task console</h1>
      <Show value={skills} what="skills" onRetry={reloadSkills}>
        {(catalogue) => (
          <form onSubmit={run} className="console-form" noValidate>
            <div className="field">
              <label htmlFor="target">Skill operation or LLM route</label>
              <select id="target" value={target} onChange={(e) => choose(e.target.value)}>
                <option value="">Choose…</option>
                <optgroup label="Skills">
                  {Object.values(catalogue).flatMap((skill) =>
                    Object.keys(skill.operations).map((op) => (
                      <option key={`${skill.skill_name}:${op}`} value={`skill:${skill.skill_name}:${op}`}>
                        {skill.skill_name} · {op}
                      </option>
                    )),
                  )}
                </optgroup>
                {routes.state === 'ready' && routes.data.length > 0 && (
                  <optgroup label="LLM routes">
                    {routes.data.map((route) => (
                      <option key={route} value={`route:${route}`}>
                        {route}
                      </option>
                    ))}
                  </optgroup>
                )}
                <option value="other">Another task type…</option>
              </select>
              {spec && <small className="muted">{spec.description}</small>}
            </div>
            {target === 'other' && (
              <div className="field">
                <label htmlFor="other-task-type">Task type</label>
                <input id="other-task-type" value={otherTaskType} onChange={(e) => setOtherTaskType(e.target.value)} placeholder="an LLM route such as default_llm_tasks" />
              </div>
            )}
            <div className="field">
              <label htmlFor="prompt">Prompt</label>
              <textarea id="prompt" rows={4} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
            </div>
            {kind && (
              <SchemaForm
                fields={fields}
                values={values}
                onValue={(field, value) => setValues((v) => ({ ...v, [field]: value }))}
                extras={extras}
                onExtras={setExtras}
              />
            )}
            {problems.length > 0 && (
              <ul className="field-error" role="alert">
                {problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            )}
            <div className="actions">
              <button type="submit" disabled={running || !target}>
                {running ? 'Running…' : 'Run'}
              </button>
              {running && stopper && (
                <button type="button" onClick={() => stopper.abort()}>
                  Stop
                </button>
              )}
              {spec?.example_request_payload && (
                <button type="button" onClick={fillExample}>
                  Fill in the example
                </button>
              )}
            </div>
          </form>
        )}
      </Show>

      {running && (
        <div className="outcome outcome-live" aria-live="polite" aria-busy="true" data-testid="live">
          <h2>{live ? 'Answering…' : 'Waiting for the first token…'}</h2>
          {liveRequestId && (
            <p className="muted">
              request id <code>{liveRequestId}</code>
            </p>
          )}
          {live && <pre className="answer" data-testid="live-text">{live}</pre>}
        </div>
      )}

      {outcome && (
        <div className={`outcome ${outcome.ok ? 'outcome-ok' : 'outcome-error'}`} aria-live="polite" data-testid="outcome">
          <h2>{outcome.ok ? 'Result' : failureHeading(outcome)}</h2>
          <p>
            {formatMs(outcome.ms)}
            {requestId && (
              <>
                {' '}
                · request id{' '}
                {mayReadRoutes ? (
                  <Link to={`/analytics/${requestId}`} data-testid="request-id">
                    {requestId}
                  </Link>
                ) : (
                  <code data-testid="request-id">{requestId}</code>
                )}
              </>
            )}
          </p>
          {outcome.ok ? (
            <>
              {outcome.response.message && <p className="message">{outcome.response.message}</p>}
              {outcome.response.details && <p className="muted">{outcome.response.details}</p>}
              {outcome.streamed && (
                <pre className="answer" data-testid="answer">
                  {outcome.streamed}
                </pre>
              )}
              <pre data-testid="result">{JSON.stringify(outcome.response.result, null, 2)}</pre>
            </>
          ) : (
            <>
              <p className="field-error">{outcome.detail}</p>
              {outcome.delivered && (
                <>
                  <p className="muted">What arrived before it ended (not the whole answer):</p>
                  <pre className="answer answer-partial" data-testid="partial">
                    {outcome.delivered}
                  </pre>
                </>
              )}
            </>
          )}
        </div>
      )}
    </section>
  )
}
