import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { User } from '../api/types'
import { fakeServer } from '../test/fakeServer'
import { Users } from './Users'

const olga: User = {
  id: 'usr_1',
  issuer: 'https://idp.example',
  subject: 'olga',
  email: 'olga@acme.example',
  name: 'Olga',
  groups: ['prax-ops', 'finance'],
  mapped_role: 'operator',
  role_override: null,
  role: 'operator',
  role_granted_at: '2026-12-06T10:00:00.000Z',
  role_granted_by: 'sso:groups',
  disabled_at: null,
  disabled_by: null,
  created_at: '2026-12-06T10:00:00.000Z',
  last_seen_at: '2026-12-06T11:00:00.000Z',
}

afterEach(() => vi.unstubAllGlobals())

describe('Users', () => {
  it('lists who signed in, with their groups and where the role came from', async () => {
    fakeServer({ 'GET /api/v1/users': () => ({ status: 200, body: [olga] }) })
    render(<Users />)
    const row = await screen.findByTestId('user-olga@acme.example')
    expect(within(row).getByText('prax-ops, finance')).toBeTruthy()
    expect(within(row).getByText(/from their groups/)).toBeTruthy()
    expect((within(row).getByLabelText('Role of olga@acme.example') as HTMLSelectElement).value).toBe('from_groups')
  })

  it('overrides a role and disables a user after asking', async () => {
    let current = olga
    const calls = fakeServer({
      'GET /api/v1/users': () => ({ status: 200, body: [current] }),
      'PATCH /api/v1/users/usr_1': ({ body }) => {
        const change = body as { role?: string; disabled?: boolean }
        current = {
          ...current,
          role_override: change.role === 'admin' ? 'admin' : current.role_override,
          role: change.role === 'admin' ? 'admin' : current.role,
          disabled_at: change.disabled ? '2026-12-06T12:00:00.000Z' : current.disabled_at,
        }
        return { status: 200, body: current }
      },
    })
    vi.stubGlobal('confirm', () => true)
    render(<Users />)
    await userEvent.selectOptions(await screen.findByLabelText('Role of olga@acme.example'), 'admin')
    await userEvent.click(await screen.findByRole('button', { name: 'Disable olga@acme.example' }))
    expect(await screen.findByRole('button', { name: 'Enable olga@acme.example' })).toBeTruthy()
    const patches = calls.filter((c) => c.method === 'PATCH').map((c) => c.body)
    expect(patches).toEqual([{ role: 'admin' }, { disabled: true }])
  })
})
