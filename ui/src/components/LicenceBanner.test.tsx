import { render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeServer } from '../test/fakeServer'
import { LicenceBanner } from './LicenceBanner'

afterEach(() => vi.unstubAllGlobals())

function licence(state: string, message: string) {
  return () => ({ status: 200, body: { state, tier: state === 'expired' ? 'standard' : 'pro', message } })
}

describe('the licence banner', () => {
  it('warns of an expired licence with the server’s words', async () => {
    fakeServer({ 'GET /api/v1/license': licence('expired', 'licence EXPIRED on 2026-01-01: running as the Standard tier') })
    render(<LicenceBanner />)
    const banner = await screen.findByTestId('licence-banner')
    expect(banner.textContent).toBe('licence EXPIRED on 2026-01-01: running as the Standard tier')
    expect(banner.className).toContain('licence-warn')
  })

  it('says nothing while a licence is simply valid', async () => {
    const calls = fakeServer({ 'GET /api/v1/license': licence('valid', 'licence valid until 2027-12-01') })
    render(<LicenceBanner />)
    await vi.waitFor(() => expect(calls.length).toBe(1))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(screen.queryByTestId('licence-banner')).toBeNull()
  })
})
