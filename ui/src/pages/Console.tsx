import { useMemo, useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { api, ApiError, dataOf, looseDataOf } from '../api/client'
import type { ProcessResponse, SkillsMap } from '../api/types'
import { useApi } from '../api/useApi'
import { hasRole } from '../auth/roles'
import { useSession } from '../auth/session'
import { SchemaForm } from '../components/SchemaForm'
import { buildRequest, fieldsOf, type ExtraField, type JsonSchema } from '../components/schemaForm'
import { Show } from '../components/States'
import { formatMs } from '../format'

/** What ran, and what came back. */
type Outcome =
  | { ok: true; response: ProcessResponse; ms: number }
  | { ok: false; status: number; detail: string; requestId: string | null; ms: number }

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
    const started = performance.now()
    try {
      const answer = await dataOf(api.POST('/api/v1/process', { body: built.body }))
      // Asked without `Accept: text/event-stream`, the answer is the whole envelope.
      if (!('result' in answer)) throw new Error('the server answered with a stream event')
      setOutcome({ ok: true, response: answer, ms: performance.now() - started })
    } catch (error) {
      const ms = performance.now() - started
      if (error instanceof ApiError) setOutcome({ ok: false, status: error.status, detail: error.detail, requestId: error.requestId, ms })
      else setOutcome({ ok: false, status: 0, detail: `Cannot reach Praximous: ${String(error)}`, requestId: null, ms })
    } finally {
      setRunning(false)
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
              {spec?.example_request_payload && (
                <button type="button" onClick={fillExample}>
                  Fill in the example
                </button>
              )}
            </div>
          </form>
        )}
      </Show>

      {outcome && (
        <div className={`outcome ${outcome.ok ? 'outcome-ok' : 'outcome-error'}`} aria-live="polite" data-testid="outcome">
          <h2>{outcome.ok ? 'Result' : `Error ${outcome.status || ''}`}</h2>
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
              <pre data-testid="result">{JSON.stringify(outcome.response.result, null, 2)}</pre>
            </>
          ) : (
            <p className="field-error">{outcome.detail}</p>
          )}
        </div>
      )}
    </section>
  )
}
