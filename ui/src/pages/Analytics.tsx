import { useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router'
import { api, ApiError, dataOf } from '../api/client'
import type { AnalyticsFilterParams, AuditStatus, ExportFormat, Granularity, TaskKind } from '../api/types'
import { useApi } from '../api/useApi'
import { hasRole } from '../auth/roles'
import { useSession } from '../auth/session'
import { LatencyChart, RequestsPerProviderChart, SkillUsageChart, StatusChart, TasksOverTimeChart } from '../components/Charts'
import { RecordsTable, type Sort } from '../components/RecordsTable'
import { Empty, Show } from '../components/States'
import { formatMs, formatRate } from '../format'
import { download } from '../download'
import { Pager } from '../components/Pager'

const PAGE_SIZE = 25
const FILTERS = ['start_date', 'end_date', 'task_type', 'kind', 'provider', 'status', 'api_key_id'] as const
const STATUSES: readonly AuditStatus[] = ['success', 'error']
/** Where requests came in: `/api/v1/process` (a skill or an LLM route), `/v1/`, MCP, or a knowledge search. */
const KINDS: readonly { kind: TaskKind; label: string }[] = [
  { kind: 'skill', label: 'skills (process API)' },
  { kind: 'llm', label: 'LLM routes (process API)' },
  { kind: 'openai', label: 'OpenAI-compatible API' },
  { kind: 'mcp', label: 'MCP tools' },
  { kind: 'knowledge', label: 'knowledge searches' },
  { kind: 'unknown', label: 'unknown task type' },
]
const GRANULARITIES: readonly Granularity[] = ['day', 'month', 'year']

/** `value` when it is one of `choices`, else undefined. */
function oneOf<T extends string>(choices: readonly T[], value: string | null): T | undefined {
  return choices.find((choice) => choice === value)
}

/** The filters in the address bar, so a reload or a shared link keeps them (an unknown status is dropped). */
function filtersFrom(search: URLSearchParams): AnalyticsFilterParams {
  const text = (name: (typeof FILTERS)[number]) => search.get(name) || undefined
  return {
    start_date: text('start_date'),
    end_date: text('end_date'),
    task_type: text('task_type'),
    provider: text('provider'),
    status: oneOf(STATUSES, search.get('status')),
    kind: oneOf(
      KINDS.map((k) => k.kind),
      search.get('kind'),
    ),
    api_key_id: text('api_key_id'),
  }
}

/** The tasks-over-time bucket in the address bar: `day` (the server's default) when absent or unknown. */
function asGranularity(value: string | null): Granularity {
  return oneOf(GRANULARITIES, value) ?? 'day'
}

/** The records offset in the address bar: a whole number >= 0 (0 when absent or malformed). */
function asOffset(value: string | null): number {
  return Math.max(0, Math.trunc(Number(value ?? 0)) || 0)
}

function Chart({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {children}
    </figure>
  )
}

/** Charts, filters, the records table and export. */
export function Analytics() {
  const { me } = useSession()
  const [search, setSearch] = useSearchParams()
  const filters = filtersFrom(search)
  const offset = asOffset(search.get('offset'))
  const granularity = asGranularity(search.get('granularity'))
  // JSON.stringify leaves out the filters that are not set.
  const key = JSON.stringify(filters)
  const [sort, setSort] = useState<Sort>({ key: 'timestamp', descending: true })
  const [exportError, setExportError] = useState<string | null>(null)

  const [page, reloadPage] = useApi(
    (s) => dataOf(api.GET('/api/v1/analytics', { params: { query: { ...filters, limit: PAGE_SIZE, offset } }, signal: s })),
    `${key}-${offset}`,
  )
  const [summary] = useApi((s) => dataOf(api.GET('/api/v1/analytics/summary', { params: { query: filters }, signal: s })), key)
  const [overTime] = useApi(
    (s) => dataOf(api.GET('/api/v1/analytics/tasks-over-time', { params: { query: { ...filters, granularity } }, signal: s })),
    `${key}-${granularity}`,
  )
  const [perProvider] = useApi(
    (s) => dataOf(api.GET('/api/v1/analytics/requests-per-provider', { params: { query: filters }, signal: s })),
    key,
  )
  const [latency] = useApi(
    (s) => dataOf(api.GET('/api/v1/analytics/latency-per-provider', { params: { query: filters }, signal: s })),
    key,
  )
  const isAdmin = me ? hasRole(me.role, 'admin') : false
  const [keys] = useApi((s) => (isAdmin ? dataOf(api.GET('/api/v1/keys', { signal: s })) : Promise.resolve([])), `keys-${isAdmin}`)

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const next = new URLSearchParams()
    for (const name of [...FILTERS, 'granularity']) {
      const value = String(form.get(name) ?? '').trim()
      if (value) next.set(name, value)
    }
    setSearch(next)
  }

  const goTo = (nextOffset: number) => {
    const next = new URLSearchParams(search)
    if (nextOffset > 0) next.set('offset', String(nextOffset))
    else next.delete('offset')
    setSearch(next)
  }

  const exportAs = async (format: ExportFormat) => {
    setExportError(null)
    try {
      // The key goes in a header, so a plain link would be refused: fetch the file, then save it.
      const file = await dataOf(api.GET('/api/v1/analytics/export', { params: { query: { ...filters, format } }, parseAs: 'blob' }))
      // openapi-fetch gives no data for an answer of `Content-Length: 0` (an empty JSON Lines file).
      download(file ?? new Blob([]), format === 'csv' ? 'audit.csv' : 'audit.jsonl')
    } catch (error) {
      setExportError(error instanceof ApiError ? error.detail : String(error))
    }
  }

  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">Analytics</h1>
      <form className="filters" onSubmit={apply} key={search.toString()} aria-label="Filters">
        <label>
          From
          <input type="date" name="start_date" defaultValue={filters.start_date} />
        </label>
        <label>
          To
          <input type="date" name="end_date" defaultValue={filters.end_date} />
        </label>
        <label>
          Task type
          <input name="task_type" defaultValue={filters.task_type} />
        </label>
        <label>
          Came in through
          <select name="kind" defaultValue={filters.kind ?? ''}>
            <option value="">any</option>
            {KINDS.map(({ kind, label }) => (
              <option key={kind} value={kind}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Provider
          <input name="provider" defaultValue={filters.provider} placeholder="e.g. skill:echo" />
        </label>
        <label>
          Status
          <select name="status" defaultValue={filters.status ?? ''}>
            <option value="">any</option>
            <option value="success">success</option>
            <option value="error">error</option>
          </select>
        </label>
        <label>
          API key
          {isAdmin && keys.state === 'ready' ? (
            <select name="api_key_id" defaultValue={filters.api_key_id ?? ''}>
              <option value="">any</option>
              {keys.data.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name} ({k.prefix})
                </option>
              ))}
            </select>
          ) : (
            <input name="api_key_id" defaultValue={filters.api_key_id} placeholder="key id" />
          )}
        </label>
        <label>
          Per
          <select name="granularity" defaultValue={granularity}>
            <option value="day">day</option>
            <option value="month">month</option>
            <option value="year">year</option>
          </select>
        </label>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button type="button" onClick={() => setSearch(new URLSearchParams())}>
            Clear
          </button>
        </div>
      </form>

      <Show value={summary} what="the summary">
        {(s) => (
          <p className="summary" data-testid="summary">
            <strong>{s.total_requests}</strong> requests · {s.errors} errors ({formatRate(s.error_rate)}) · p50 {formatMs(s.latency_p50_ms)} · p95{' '}
            {formatMs(s.latency_p95_ms)}
          </p>
        )}
      </Show>

      <div className="charts">
        <Chart title="Tasks over time">
          <Show value={overTime} what="tasks over time">
            {(body) => (body.data.length === 0 ? <Empty>No requests in this range.</Empty> : <TasksOverTimeChart points={body.data} />)}
          </Show>
        </Chart>
        <Chart title="Requests per provider">
          <Show value={perProvider} what="requests per provider">
            {(body) => (body.data.length === 0 ? <Empty>No requests in this range.</Empty> : <RequestsPerProviderChart rows={body.data} />)}
          </Show>
        </Chart>
        <Chart title="Latency per provider (average and p95)">
          <Show value={latency} what="latency per provider">
            {(body) => (body.data.length === 0 ? <Empty>No requests in this range.</Empty> : <LatencyChart rows={body.data} />)}
          </Show>
        </Chart>
        <Chart title="Status">
          <Show value={summary} what="status">
            {(s) => (s.total_requests === 0 ? <Empty>No requests in this range.</Empty> : <StatusChart success={s.by_status.success ?? 0} error={s.by_status.error ?? 0} />)}
          </Show>
        </Chart>
        <Chart title="Skill usage">
          <Show value={summary} what="skill usage">
            {(s) => (s.skill_usage.length === 0 ? <Empty>No skill calls in this range.</Empty> : <SkillUsageChart usage={s.skill_usage} />)}
          </Show>
        </Chart>
      </div>

      <div className="records-head">
        <h2>Records</h2>
        <div className="actions">
          <button type="button" onClick={() => exportAs('csv')}>
            Export CSV
          </button>
          <button type="button" onClick={() => exportAs('jsonl')}>
            Export JSON Lines
          </button>
        </div>
      </div>
      {exportError && (
        <p className="field-error" role="alert">
          Export failed: {exportError}
        </p>
      )}
      <Show value={page} what="records" onRetry={reloadPage}>
        {(p) =>
          p.data.length === 0 ? (
            <Empty>No record matches these filters.</Empty>
          ) : (
            <>
              <RecordsTable records={p.data} sort={sort} onSort={setSort} />
              <Pager offset={p.offset} shown={p.data.length} total={p.total_matches} pageSize={PAGE_SIZE} onGo={goTo} />
              <p className="muted">Sorting orders this page; the server pages newest first.</p>
            </>
          )
        }
      </Show>
    </section>
  )
}
