import { Link } from 'react-router'
import { api, dataOf } from '../api/client'
import { useApi } from '../api/useApi'
import { CircuitBadge } from '../components/CircuitBadge'
import { Empty, Show } from '../components/States'
import { formatMs, formatRate, formatTime, formatUptime, todayUtc } from '../format'

/** How often the dashboard refreshes itself. */
const REFRESH_MS = 5000

/** Overview: who this Praximous is, what it runs, and how today is going. Refreshes live. */
export function Dashboard() {
  const [system, reloadSystem] = useApi((s) => dataOf(api.GET('/api/v1/system', { signal: s })), 'system', REFRESH_MS)
  // The count alone: /healthz has it, without every skill's schemas.
  const [health] = useApi((s) => dataOf(api.GET('/healthz', { signal: s })), 'health', REFRESH_MS)
  const [providers] = useApi((s) => dataOf(api.GET('/api/v1/providers', { signal: s })), 'providers', REFRESH_MS)
  const today = todayUtc()
  const [summary] = useApi(
    (s) => dataOf(api.GET('/api/v1/analytics/summary', { params: { query: { start_date: today, end_date: today } }, signal: s })),
    `summary-${today}`,
    REFRESH_MS,
  )
  const [recent] = useApi((s) => dataOf(api.GET('/api/v1/analytics', { params: { query: { limit: 8 } }, signal: s })), 'recent', REFRESH_MS)

  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <Show value={system} what="the system" onRetry={reloadSystem}>
        {(info) => (
          <div className="cards">
            <div className="card">
              <h2>{info.display_name}</h2>
              <p>
                Version {info.version} · up {formatUptime(info.uptime_seconds)}
              </p>
              <p className="muted">
                {info.identity.business_name || 'No business name'} · {info.identity.industry} · sensitivity{' '}
                {info.identity.sensitivity_level}
              </p>
            </div>
            <div className="card">
              <h2>Skills loaded</h2>
              <p className="big" data-testid="skills-loaded">
                {health.state === 'ready' ? health.data.skills : '…'}
              </p>
              <Link to="/skills">See every skill</Link>
            </div>
            <div className="card">
              <h2>Today (UTC)</h2>
              {summary.state === 'ready' ? (
                <p>
                  <span className="big" data-testid="requests-today">
                    {summary.data.total_requests}
                  </span>{' '}
                  requests · <span data-testid="error-rate-today">{formatRate(summary.data.error_rate)}</span> errors · p95{' '}
                  {formatMs(summary.data.latency_p95_ms)}
                </p>
              ) : (
                <p>{summary.state === 'error' ? summary.message : '…'}</p>
              )}
            </div>
          </div>
        )}
      </Show>

      <h2>Provider health</h2>
      <Show value={providers} what="providers">
        {(body) =>
          body.providers.length === 0 ? (
            <Empty>No LLM provider is configured. Add [[providers]] to the configuration to route LLM tasks.</Empty>
          ) : (
            <ul className="health-list">
              {body.providers.map((provider) => (
                <li key={provider.name}>
                  <strong>{provider.name}</strong> <span className="muted">{provider.type}</span>{' '}
                  {provider.available ? (
                    <CircuitBadge state={provider.health.circuit} />
                  ) : (
                    <span className="badge badge-bad" title={provider.unavailable_reason ?? undefined}>
                      unavailable
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Show>

      <h2>Recent activity</h2>
      <Show value={recent} what="recent requests">
        {(page) =>
          page.data.length === 0 ? (
            <Empty>No requests yet. Run one from the Task console.</Empty>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Task type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Latency</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((record) => (
                  <tr key={record.request_id}>
                    <td>
                      <Link to={`/analytics/${record.request_id}`}>{formatTime(record.timestamp)}</Link>
                    </td>
                    <td>{record.task_type}</td>
                    <td>
                      <span className={record.status === 'success' ? 'badge badge-good' : 'badge badge-bad'}>
                        {record.http_status}
                      </span>
                    </td>
                    <td>{formatMs(record.latency_ms)}</td>
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
