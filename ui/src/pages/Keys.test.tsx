import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { KeyInfo, NewKey } from '../api/types'
import { failure, fakeServer } from '../test/fakeServer'
import { Keys } from './Keys'

const existing: KeyInfo = {
  id: 'k1',
  name: 'ci',
  role: 'user',
  prefix: 'prax_ab12',
  source: 'store',
  state: 'active',
  created_at: '2026-12-01T10:00:00Z',
  expires_at: null,
  revoked_at: null,
  rate_limit_per_minute: null,
  skills: null,
  routes: null,
  owner: null,
}

afterEach(() => vi.unstubAllGlobals())

describe('API keys', () => {
  it('creates a key, shows its secret once, and revokes after confirmation', async () => {
    const keys: KeyInfo[] = [existing]
    const calls = fakeServer({
      'GET /api/v1/keys': () => ({ status: 200, body: keys }),
      'POST /api/v1/keys': ({ body }) => {
        const { name, role, skills, routes } = body as NewKey
        const made = { ...existing, id: 'k2', name, role, prefix: 'prax_cd34', skills: skills ?? null, routes: routes ?? null }
        keys.push(made)
        return { status: 201, body: { ...made, key: 'prax_cd34_the_secret' } }
      },
      'DELETE /api/v1/keys/k2': () => {
        keys[1] = { ...keys[1], state: 'revoked' }
        return { status: 200, body: keys[1] }
      },
    })
    render(<Keys />)
    await screen.findByTestId('key-ci')
    await userEvent.type(screen.getByLabelText('Name'), 'reporting')
    await userEvent.selectOptions(screen.getByLabelText('Role'), 'operator')
    await userEvent.type(screen.getByLabelText('Expires after (days)'), '30')
    await userEvent.type(screen.getByLabelText('Only these skills'), 'echo, pdf_tool/read ,')
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }))
    expect((await screen.findByTestId('new-key-secret')).textContent).toBe('prax_cd34_the_secret')
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'reporting',
      role: 'operator',
      expires_in_days: 30,
      rate_limit_per_minute: null,
      skills: ['echo', 'pdf_tool/read'],
      routes: null,
    })
    // The table says what each key may use.
    expect(within(await screen.findByTestId('key-reporting')).getByText('skills: echo, pdf_tool/read')).toBeTruthy()
    expect(within(screen.getByTestId('key-ci')).getByText('everything its role allows')).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Done' }))
    expect(screen.queryByTestId('new-key-secret')).toBeNull()
    expect(screen.queryByText('prax_cd34_the_secret')).toBeNull()

    vi.stubGlobal('confirm', () => true)
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke reporting' }))
    expect(await within(await screen.findByTestId('key-reporting')).findByText('revoked')).toBeTruthy()
  })

  it('says what was wrong when creation is refused', async () => {
    fakeServer({
      'GET /api/v1/keys': () => ({ status: 200, body: [] }),
      'POST /api/v1/keys': () => failure(422, 'validation_failed', 'name: a key named "ci" already exists'),
    })
    render(<Keys />)
    expect(await screen.findByText('No key yet.')).toBeTruthy()
    await userEvent.type(screen.getByLabelText('Name'), 'ci')
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }))
    expect(await screen.findByText('name: a key named "ci" already exists')).toBeTruthy()
  })
})
