import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { failure, fakeServer } from '../test/fakeServer'
import { RegistryPanel } from './RegistryPanel'

afterEach(() => vi.unstubAllGlobals())

const report = (version: string, widened: string[]) => ({ name: 'greeter', version, previous: '1.0.0', publisher: 'ed25519:abc', widened, changed: false })

describe('RegistryPanel', () => {
  it('shows what an update asks for, and accepts exactly the version it showed', async () => {
    const calls = fakeServer({
      'GET /api/v1/registry/skills': () => ({
        status: 200,
        body: [{ name: 'greeter', description: 'Greets', versions: ['1.0.0', '1.1.0'], latest: '1.1.0', installed: '1.0.0' }],
      }),
      'POST /api/v1/skills/greeter/update': ({ body }) => {
        if ((body as { dry_run?: boolean }).dry_run) return { status: 200, body: report('1.1.0', ['llm: may now call the LLM router']) }
        return { status: 200, body: { ...report('1.1.0', ['llm: may now call the LLM router']), changed: true } }
      },
    })
    const changed = vi.fn()
    render(<RegistryPanel onChanged={changed} />)
    await userEvent.click(await screen.findByRole('button', { name: 'Update greeter' }))
    const dialog = await screen.findByRole('dialog')
    expect(dialog.textContent).toContain('Update greeter to 1.1.0?')
    expect(dialog.textContent).toContain('llm: may now call the LLM router')
    expect(document.activeElement?.id).toBe('consent-title')
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ dry_run: true }])

    await userEvent.click(screen.getByRole('button', { name: 'Accept and update' }))
    expect(await screen.findByText('Updated greeter from 1.0.0 to 1.1.0, with the new permissions.')).toBeTruthy()
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ dry_run: true }, { accept_permissions: true, version: '1.1.0' }])
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(changed).toHaveBeenCalled()
  })

  it('says so when no registry is configured', async () => {
    fakeServer({
      'GET /api/v1/registry/skills': () => failure(409, 'conflict', 'No registry is configured: set [registry] url.'),
    })
    render(<RegistryPanel onChanged={() => {}} />)
    expect(await screen.findByText('Could not load the registry: No registry is configured: set [registry] url.')).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy()
  })
})
