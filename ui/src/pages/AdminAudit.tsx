import { useState } from 'react'
import { api, ApiError, dataOf } from '../api/client'
import type { AdminAuditEntry } from '../api/types'
import { useApi } from '../api/useApi'
import { Pager } from '../components/Pager'
import { Empty, Show } from '../components/States'
import { download } from '../download'
import { formatTime } from '../format'

const PAGE_SIZE = 50

/** What an entry changed, in one line: the values before and after. */
function changeText(entry: AdminAuditEntry): string {
  const parts = [entry.before && `before ${entry.before}`, entry.after && `after ${entry.after}`].filter(Boolean)
  return parts.length > 0 ? parts.join(' → ') : '—'
}

/** The chain's state: intact, or where it breaks. */
function ChainBanner() {
  const [chain] = useApi((signal) => dataOf(api.GET('/api/v1/admin-audit/verify', { signal })), 'admin-audit-verify')
  if (chain.state !== 'ready') return null
  const { intact, entries, broken } = chain.data
  return intact ? (
    <p className="muted" data-testid="chain-state">
      Chain intact: {entries} entries, each linked to the one before by its hash.
    </p>
  ) : (
    <p className="notice licence-warn" role="alert" data-testid="chain-state">
      The admin audit log has been tampered with: {broken}
    </p>
  )
}

/**
 * The admin audit log (admins): every administrative change, newest first, with who made it,
 * from where, and what it changed; filtered by kind, paged, exported (Enterprise).
 */
export function AdminAudit() {
  const [action, setAction] = useState('')
  const [offset, setOffset] = useState(0)
  const [exportError, setExportError] = useState<string | null>(null)
  const query = { limit: PAGE_SIZE, offset, ...(action ? { action } : {}) }
  const [page, reload] = useApi(
    (signal) => dataOf(api.GET('/api/v1/admin-audit', { params: { query }, signal })),
    `admin-audit-${action}-${offset}`,
  )

  const exportAs = async (format: 'csv' | 'jsonl') => {
    setExportError(null)
    try {
      // The key goes in a header, so a plain link would be refused: fetch the file, then save it.
      const file = await dataOf(api.GET('/api/v1/admin-audit/export', { params: { query: { format } }, parseAs: 'blob' }))
      download(file ?? new Blob([]), `praximous-admin-audit.${format}`)
    } catch (error) {
      setExportError(error instanceof ApiError ? error.detail : String(error))
    }
  }

  return (
    <section aria-labelledby="admin-audit-title">
      <h1 id="admin-audit-title">Admin audit log</h1>
      <ChainBanner />
      <div className="actions">
        <label>
          Changes to
          <select
            value={action}
            onChange={(event) => {
              setAction(event.target.value)
              setOffset(0)
            }}
          >
            <option value="">everything</option>
            <option value="key.">API keys</option>
            <option value="skill.">skills</option>
            <option value="licence.">the licence</option>
            <option value="identity.">the identity</option>
          </select>
        </label>
        <button type="button" onClick={() => exportAs('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => exportAs('jsonl')}>
          Export JSON Lines
        </button>
      </div>
      {exportError && (
        <p className="field-error" role="alert">
          Export failed: {exportError}
        </p>
      )}
      <Show value={page} what="the admin audit log" onRetry={reload}>
        {(p) =>
          p.entries.length === 0 ? (
            <Empty>No administrative change has been recorded{action ? ' of this kind' : ''} yet.</Empty>
          ) : (
            <>
              <div className="table-scroll">
              <table className="table" data-testid="admin-audit">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">From</th>
                    <th scope="col">What</th>
                    <th scope="col">On</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {p.entries.map((entry) => (
                    <tr key={entry.seq}>
                      <td>{entry.seq}</td>
                      <td>{formatTime(entry.at)}</td>
                      <td title={entry.actor}>{entry.actor_name}</td>
                      <td>{entry.source}</td>
                      <td>{entry.action}</td>
                      <td>{entry.target}</td>
                      <td className="answer">{changeText(entry)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </div>
              <Pager offset={p.offset} shown={p.entries.length} total={p.total} pageSize={PAGE_SIZE} onGo={setOffset} />
            </>
          )
        }
      </Show>
    </section>
  )
}
