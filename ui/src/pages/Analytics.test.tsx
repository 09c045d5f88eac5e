import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from '../App'
import type { AnalyticsPage, AnalyticsSummary } from '../api/types'
import { SessionProvider } from '../auth/session'
import { fakeServer, meAs } from '../test/fakeServer'

const summary: AnalyticsSummary = {
  total_requests: 3,
  errors: 1,
  error_rate: 1 / 3,
  latency_p50_ms: 5,
  latency_p95_ms: null,
  by_status: { success: 2, error: 1 },
  skill_usage: [{ skill: 'echo', count: 3 }],
}
const page: AnalyticsPage = { data: [], limit: 25, offset: 50, total_matches: 0 }

beforeEach(() => sessionStorage.clear())

/** A server with empty analytics, signed in as an operator; the calls it saw. */
function analyticsServer() {
  const calls = fakeServer({
    'GET /api/v1/auth/me': meAs('operator'),
    'GET /api/v1/analytics': () => ({ status: 200, body: page }),
    'GET /api/v1/analytics/summary': () => ({ status: 200, body: summary }),
    'GET /api/v1/analytics/tasks-over-time': () => ({ status: 200, body: { data: [] } }),
    'GET /api/v1/analytics/requests-per-provider': () => ({ status: 200, body: { data: [] } }),
    'GET /api/v1/analytics/latency-per-provider': () => ({ status: 200, body: { data: [] } }),
  })
  sessionStorage.setItem('praximous.apiKey', 'operator-secret')
  return calls
}
afterEach(() => vi.unstubAllGlobals())

describe('analytics', () => {
  it('sends only the filters the address bar validly sets, with a whole offset and a known granularity', async () => {
    const calls = analyticsServer()
    render(
      <MemoryRouter initialEntries={['/analytics?task_type=echo&status=bogus&kind=pigeon&granularity=week&offset=50.7']}>
        <SessionProvider>
          <App />
        </SessionProvider>
      </MemoryRouter>,
    )
    expect((await screen.findByTestId('summary')).textContent).toMatch(/3 requests · 1 errors \(33\.3%\)/)
    expect(await screen.findByText('No record matches these filters.')).toBeTruthy()
    const paths = calls.map((c) => c.path)
    expect(paths).toContain('/api/v1/analytics?task_type=echo&limit=25&offset=50')
    expect(paths).toContain('/api/v1/analytics/summary?task_type=echo')
    expect(paths).toContain('/api/v1/analytics/tasks-over-time?task_type=echo&granularity=day')
  })

  it('filters by the ingress a request came in through', async () => {
    const calls = analyticsServer()
    render(
      <MemoryRouter initialEntries={['/analytics']}>
        <SessionProvider>
          <App />
        </SessionProvider>
      </MemoryRouter>,
    )
    await screen.findByTestId('summary')
    await userEvent.selectOptions(screen.getByLabelText('Came in through'), 'mcp')
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }))
    await vi.waitFor(() => expect(calls.map((c) => c.path)).toContain('/api/v1/analytics/summary?kind=mcp'))
  })
})
