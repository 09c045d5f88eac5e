import { Link, useParams } from 'react-router'
import { api, dataOf } from '../api/client'
import { useApi } from '../api/useApi'
import { Show } from '../components/States'
import { formatMs, formatTime } from '../format'

/** One audit record, with its prompt, response and LLM attempts. */
export function RecordDetail() {
  const { requestId = '' } = useParams()
  const [record, reload] = useApi((s) => dataOf(api.GET('/api/v1/analytics/{request_id}', { params: { path: { request_id: requestId } }, signal: s })), requestId)
  return (
    <section aria-labelledby="record-title">
      <p>
        <Link to="/analytics">← Analytics</Link>
      </p>
      <h1 id="record-title">Request {requestId}</h1>
      <Show value={record} what="the record" onRetry={reload}>
        {(r) => (
          <>
            <dl className="facts" data-testid="record">
              <dt>Time</dt>
              <dd>{formatTime(r.timestamp)}</dd>
              <dt>Task type</dt>
              <dd>
                {r.task_type} ({r.kind})
              </dd>
              <dt>Provider</dt>
              <dd>
                {r.provider ?? '–'}
                {r.skill_version ? ` ${r.skill_version}` : ''}
              </dd>
              <dt>Status</dt>
              <dd>
                {r.status} · HTTP {r.http_status}
              </dd>
              <dt>Latency</dt>
              <dd>{formatMs(r.latency_ms)}</dd>
              <dt>API key</dt>
              <dd>{r.api_key_name ? `${r.api_key_name} (${r.api_key_id})` : '–'}</dd>
              <dt>Client</dt>
              <dd>{r.client_addr ?? '–'}</dd>
            </dl>
            <h2>Prompt</h2>
            {r.prompt == null ? <p className="muted">Not stored (audit settings).</p> : <pre data-testid="prompt">{r.prompt}</pre>}
            <h2>Response</h2>
            {r.response_data == null ? <p className="muted">Not stored (audit settings).</p> : <pre data-testid="response">{r.response_data}</pre>}
            {r.attempts && r.attempts.length > 0 && (
              <>
                <h2>LLM attempts</h2>
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Provider</th>
                      <th scope="col">Model</th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Time</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.attempts.map((a, i) => (
                      <tr key={i}>
                        <td>{a.provider}</td>
                        <td>{a.model}</td>
                        <td>{a.error ? `${a.outcome}: ${a.error}` : a.outcome}</td>
                        <td>{formatMs(a.duration_ms)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </>
        )}
      </Show>
    </section>
  )
}
