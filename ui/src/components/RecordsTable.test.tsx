import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import type { AuditRecord } from '../api/types'
import { RecordsTable, sortRecords, type Sort } from './RecordsTable'

function record(id: string, latency: number, provider: string | null, timestamp: string): AuditRecord {
  return {
    id: 1,
    request_id: id,
    timestamp,
    task_type: 'echo',
    kind: 'skill',
    provider,
    skill_version: null,
    attempts: null,
    status: 'success',
    http_status: 200,
    latency_ms: latency,
    prompt: null,
    response_data: null,
    prompt_bytes: 0,
    response_bytes: 0,
    api_key_id: null,
    api_key_name: null,
    client_addr: null,
    stream_outcome: null,
    time_to_first_token_ms: null,
    input_tokens: null,
    output_tokens: null,
    tokens_estimated: false,
    delivered: null,
  }
}

const records = [
  record('a', 30, 'skill:echo', '2026-12-01T10:00:00Z'),
  record('b', 5, null, '2026-12-03T10:00:00Z'),
  record('c', 120, 'ollama', '2026-12-02T10:00:00Z'),
]

function Harness() {
  const [sort, setSort] = useState<Sort>({ key: 'timestamp', descending: true })
  return (
    <MemoryRouter>
      <RecordsTable records={records} sort={sort} onSort={setSort} />
    </MemoryRouter>
  )
}

const latencies = () =>
  within(screen.getByTestId('records'))
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('cell')[4].textContent)

describe('RecordsTable', () => {
  it('sorts by a column on click, flipping on a second click', async () => {
    render(<Harness />)
    expect(latencies()).toEqual(['5 ms', '120 ms', '30 ms'])
    const header = screen.getByRole('button', { name: /Latency/ })
    await userEvent.click(header)
    expect(latencies()).toEqual(['120 ms', '30 ms', '5 ms'])
    expect(screen.getByRole('columnheader', { name: /Latency/ }).getAttribute('aria-sort')).toBe('descending')
    await userEvent.click(header)
    expect(latencies()).toEqual(['5 ms', '30 ms', '120 ms'])
    expect(screen.getByRole('columnheader', { name: /Latency/ }).getAttribute('aria-sort')).toBe('ascending')
  })

  it('links each row to its detail and keeps missing values last', () => {
    render(<Harness />)
    expect(screen.getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual(['/analytics/b', '/analytics/c', '/analytics/a'])
    expect(sortRecords(records, { key: 'provider', descending: false }).map((r) => r.request_id)).toEqual(['c', 'a', 'b'])
  })
})
