import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { failure, fakeServer } from '../test/fakeServer'
import { AdminAudit } from './AdminAudit'

afterEach(() => vi.unstubAllGlobals())

const entry = (seq: number, action: string, target: string) => ({
  seq,
  at: '2026-12-06T10:00:00Z',
  actor: 'key:env-1',
  actor_name: 'environment key #1',
  source: '127.0.0.1',
  action,
  target,
  before: null,
  after: `{"n":${seq}}`,
  prev_hash: '0'.repeat(64),
  hash: 'a'.repeat(64),
})

describe('the admin audit page', () => {
  it('lists changes, filters by kind, says whether the chain is intact, and explains a locked export', async () => {
    const calls = fakeServer({
      'GET /api/v1/admin-audit/verify': () => ({ status: 200, body: { intact: false, entries: 2, head: 'a', broken: 'entry #2 was changed after it was written' } }),
      'GET /api/v1/admin-audit/export': () =>
        failure(403, 'not_licensed', 'The admin audit log export is not included in this installation’s Pro tier; it comes with the Enterprise tier.'),
      'GET /api/v1/admin-audit': ({ url }) => {
        const keysOnly = url.searchParams.get('action') === 'key.'
        const entries = keysOnly ? [entry(1, 'key.created', 'k1')] : [entry(2, 'skill.installed', 'greeter'), entry(1, 'key.created', 'k1')]
        return { status: 200, body: { entries, total: entries.length, limit: 50, offset: 0 } }
      },
    })
    render(<AdminAudit />)
    expect((await screen.findByTestId('chain-state')).textContent).toContain('entry #2 was changed')
    expect(await screen.findByText('skill.installed')).toBeTruthy()
    expect(screen.getByText('1–2 of 2')).toBeTruthy()

    await userEvent.selectOptions(screen.getByLabelText('Changes to'), 'key.')
    expect(await screen.findByText('1–1 of 1')).toBeTruthy()
    expect(screen.queryByText('skill.installed')).toBeNull()
    expect(calls.some((c) => c.path.includes('action=key.'))).toBe(true)

    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
    expect((await screen.findByText(/Export failed/)).textContent).toContain('Enterprise tier')
  })
})
