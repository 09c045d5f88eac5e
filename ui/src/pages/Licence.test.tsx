import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { failure, fakeServer } from '../test/fakeServer'
import { Licence } from './Licence'

afterEach(() => vi.unstubAllGlobals())

const unlicensed = {
  state: 'unlicensed',
  tier: 'standard',
  message: 'no licence: the Standard tier',
  seats: 5,
  features: [{ feature: 'pii_redaction', title: 'PII redaction', tier: 'pro', unlocked: false }],
}

describe('the licence page', () => {
  it('shows the tier, the locked features, and installs a key only after checking it', async () => {
    const calls = fakeServer({
      'GET /api/v1/license': () => ({ status: 200, body: unlicensed }),
      'POST /api/v1/license': ({ body }) => {
        const { key, dry_run } = body as { key: string; dry_run: boolean }
        if (key !== 'prax-license-v1.good.sig') return failure(422, 'validation_failed', 'the licence key’s signature does not match its contents')
        return { status: 200, body: { installed: !dry_run, state: 'valid', tier: 'pro', message: 'licence valid until 2027-12-01', licence: null } }
      },
    })
    render(<Licence />)
    expect((await screen.findByTestId('licence-tier')).textContent).toBe('standard')
    expect(screen.getByText('locked: needs pro')).toBeTruthy()
    const install = screen.getByRole('button', { name: 'Install' }) as HTMLButtonElement
    expect(install.disabled).toBe(true)

    await userEvent.type(screen.getByLabelText('Licence key'), 'prax-license-v1.bad.sig')
    await userEvent.click(screen.getByRole('button', { name: 'Check' }))
    expect((await screen.findByRole('alert')).textContent).toContain('signature does not match')
    expect(install.disabled).toBe(true)

    await userEvent.clear(screen.getByLabelText('Licence key'))
    await userEvent.type(screen.getByLabelText('Licence key'), 'prax-license-v1.good.sig')
    await userEvent.click(screen.getByRole('button', { name: 'Check' }))
    expect((await screen.findByTestId('licence-check')).textContent).toContain('the pro tier')
    await userEvent.click(install)
    expect(await screen.findByText('Installed: licence valid until 2027-12-01')).toBeTruthy()
    const posts = calls.filter((c) => c.method === 'POST').map((c) => (c.body as { dry_run: boolean }).dry_run)
    expect(posts).toEqual([true, true, false])
  })
})
