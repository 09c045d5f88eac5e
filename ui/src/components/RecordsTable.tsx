import { Link } from 'react-router'
import type { AuditRecord } from '../api/types'
import { formatMs, formatTime } from '../format'

/** Columns the records table sorts by. */
export type SortKey = 'timestamp' | 'task_type' | 'provider' | 'http_status' | 'latency_ms'

/** A sort: column and direction. */
export interface Sort {
  key: SortKey
  descending: boolean
}

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'timestamp', label: 'Time' },
  { key: 'task_type', label: 'Task type' },
  { key: 'provider', label: 'Provider' },
  { key: 'http_status', label: 'Status' },
  { key: 'latency_ms', label: 'Latency' },
]

/** `records` in `sort` order (a stable sort; missing values last). */
export function sortRecords(records: AuditRecord[], sort: Sort): AuditRecord[] {
  const direction = sort.descending ? -1 : 1
  return [...records].sort((a, b) => {
    const x = a[sort.key]
    const y = b[sort.key]
    if (x === y) return 0
    if (x == null) return 1
    if (y == null) return -1
    return (x < y ? -1 : 1) * direction
  })
}

/** The next sort when a column header is clicked: same column flips, a new one starts descending. */
export function nextSort(current: Sort, key: SortKey): Sort {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: true }
}

/** Audit records with sortable columns; each links to its detail. */
export function RecordsTable({ records, sort, onSort }: { records: AuditRecord[]; sort: Sort; onSort: (sort: Sort) => void }) {
  return (
    <table className="table" data-testid="records">
      <thead>
        <tr>
          {COLUMNS.map((column) => (
            <th
              key={column.key}
              scope="col"
              aria-sort={sort.key === column.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
            >
              <button type="button" className="sort" onClick={() => onSort(nextSort(sort, column.key))}>
                {column.label}
                {sort.key === column.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
              </button>
            </th>
          ))}
          <th scope="col">Key</th>
        </tr>
      </thead>
      <tbody>
        {sortRecords(records, sort).map((record) => (
          <tr key={record.request_id}>
            <td>
              <Link to={`/analytics/${record.request_id}`}>{formatTime(record.timestamp)}</Link>
            </td>
            <td>{record.task_type}</td>
            <td>{record.provider ?? '–'}</td>
            <td>
              <span className={record.status === 'success' ? 'badge badge-good' : 'badge badge-bad'}>{record.http_status}</span>
            </td>
            <td>{formatMs(record.latency_ms)}</td>
            <td>{record.api_key_name ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
