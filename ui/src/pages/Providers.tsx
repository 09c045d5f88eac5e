import { api, dataOf } from '../api/client'
import { useApi } from '../api/useApi'
import { CircuitBadge } from '../components/CircuitBadge'
import { Empty, Show } from '../components/States'
import { formatMs, formatRate } from '../format'

/** LLM providers as configured (no secrets: only the names of the variables holding them), their health and circuits, and the routes. */
export function Providers() {
  const [body, reload] = useApi((s) => dataOf(api.GET('/api/v1/providers', { signal: s })), 'providers', 5000)
  return (
    <section aria-labelledby="providers-title">
      <h1 id="providers-title">Providers &amp; routing</h1>
      <Show value={body} what="providers" onRetry={reload}>
        {(b) => (
          <>
            {b.providers.length === 0 ? (
              <Empty>No LLM provider is configured. Add [[providers]] to the configuration file.</Empty>
            ) : (
              <div className="table-scroll">
                <table className="table" data-testid="providers">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Type · model</th>
                      <th scope="col">Endpoint</th>
                      <th scope="col">Key from</th>
                      <th scope="col">Priority</th>
                      <th scope="col">Health</th>
                      <th scope="col">Recent errors</th>
                      <th scope="col">p50</th>
                      <th scope="col">Last error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {b.providers.map((p) => (
                      <tr key={p.name}>
                        <td>{p.name}</td>
                        <td>
                          {p.type} · {p.model}
                        </td>
                        <td>{p.base_url ?? (p.base_url_env ? `$${p.base_url_env}` : 'default')}</td>
                        <td>{p.api_key_env ? `$${p.api_key_env}` : '–'}</td>
                        <td>{p.priority}</td>
                        <td>
                          {!p.enabled ? (
                            <span className="badge badge-neutral">disabled</span>
                          ) : p.available ? (
                            <CircuitBadge state={p.health.circuit} />
                          ) : (
                            <span className="badge badge-bad">unavailable</span>
                          )}
                          {p.unavailable_reason && <div className="muted">{p.unavailable_reason}</div>}
                        </td>
                        <td>
                          {formatRate(p.health.recent_error_rate)} of {p.health.recent_attempts}
                        </td>
                        <td>{formatMs(p.health.latency_p50_ms)}</td>
                        <td>{p.health.last_error ?? '–'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <h2>Routes</h2>
            {Object.keys(b.routes).length === 0 ? (
              <Empty>No routing rule.</Empty>
            ) : (
              <table className="table" data-testid="routes">
                <thead>
                  <tr>
                    <th scope="col">Task type</th>
                    <th scope="col">Providers, in order</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(b.routes).map(([route, providers]) => (
                    <tr key={route}>
                      <td>{route}</td>
                      <td>{providers.length > 0 ? providers.join(' → ') : <span className="muted">no provider configured: requests on this route cannot be served</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>
    </section>
  )
}
