import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { failure, fakeServer } from '../test/fakeServer'
import { RegistryPanel } from './RegistryPanel'

afterEach(() => vi.unstubAllGlobals())

const DIGEST = 'ab12cd34ef56'.padEnd(64, '0')

const report = (version: string, widened: string[], extra: { publisher?: string | null; previous_publisher?: string | null; sha256?: string } = {}) => ({
  name: 'greeter',
  version,
  previous: '1.0.0',
  sha256: DIGEST,
  publisher: 'ed25519:abc',
  previous_publisher: null,
  widened,
  changed: false,
  ...extra,
})

const listing = () => ({
  status: 200,
  body: [{ name: 'greeter', description: 'Greets', versions: ['1.0.0', '1.1.0'], latest: '1.1.0', installed: '1.0.0' }],
})

type UpdateBody = { dry_run?: boolean }

const posts = (calls: { method: string; body: unknown }[]) => calls.filter((c) => c.method === 'POST').map((c) => c.body)

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
    expect(dialog.textContent).not.toContain('different publisher')
    expect(screen.getByTestId('consent-digest').textContent).toBe('ab12cd34ef56…')
    expect(screen.getByTestId('consent-digest').title).toBe(DIGEST)
    expect(document.activeElement?.id).toBe('consent-title')
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ dry_run: true }])

    await userEvent.click(screen.getByRole('button', { name: 'Accept and update' }))
    expect(await screen.findByText('Updated greeter from 1.0.0 to 1.1.0, with the new permissions.')).toBeTruthy()
    expect(posts(calls)).toEqual([{ dry_run: true }, { accept_permissions: true, version: '1.1.0', sha256: DIGEST }])
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(changed).toHaveBeenCalled()
  })

  it('shows a publisher change and accepts it, with the permissions, only when the dry run reported one', async () => {
    const changed = { previous_publisher: 'ed25519:abc', publisher: 'ed25519:new' }
    const calls = fakeServer({
      'GET /api/v1/registry/skills': listing,
      'POST /api/v1/skills/greeter/update': ({ body }) => {
        if ((body as UpdateBody).dry_run) return { status: 200, body: report('1.1.0', ['llm: may now call the LLM router'], changed) }
        return { status: 200, body: { ...report('1.1.0', ['llm: may now call the LLM router'], changed), changed: true } }
      },
    })
    render(<RegistryPanel onChanged={() => {}} />)
    await userEvent.click(await screen.findByRole('button', { name: 'Update greeter' }))
    const dialog = await screen.findByRole('dialog')
    expect(screen.getByTestId('publisher-change').textContent).toContain('Signed by a different publisher: ed25519:abc → ed25519:new')
    expect(dialog.textContent).toContain('llm: may now call the LLM router')

    await userEvent.click(screen.getByRole('button', { name: 'Accept and update' }))
    expect(await screen.findByText('Updated greeter from 1.0.0 to 1.1.0, with the new permissions, now signed by ed25519:new.')).toBeTruthy()
    expect(posts(calls)).toEqual([
      { dry_run: true },
      { accept_permissions: true, accept_publisher_change: true, version: '1.1.0', sha256: DIGEST },
    ])
  })

  it('asks for consent to a new publisher even when no permission widens, and says when it is unsigned', async () => {
    const changed = { previous_publisher: 'ed25519:abc', publisher: null }
    const calls = fakeServer({
      'GET /api/v1/registry/skills': listing,
      'POST /api/v1/skills/greeter/update': ({ body }) => {
        if ((body as UpdateBody).dry_run) return { status: 200, body: report('1.1.0', [], changed) }
        return { status: 200, body: { ...report('1.1.0', [], changed), changed: true } }
      },
    })
    render(<RegistryPanel onChanged={() => {}} />)
    await userEvent.click(await screen.findByRole('button', { name: 'Update greeter' }))
    await screen.findByRole('dialog')
    expect(screen.getByTestId('publisher-change').textContent).toContain('Signed by a different publisher: ed25519:abc → unsigned')
    expect(posts(calls)).toEqual([{ dry_run: true }])

    await userEvent.click(screen.getByRole('button', { name: 'Accept and update' }))
    expect(await screen.findByText('Updated greeter from 1.0.0 to 1.1.0, now signed by nobody (unsigned).')).toBeTruthy()
    expect(posts(calls)).toEqual([{ dry_run: true }, { accept_publisher_change: true, version: '1.1.0', sha256: DIGEST }])
  })

  it('updates without a dialog when nothing needs consent, still naming the version and component checked', async () => {
    const calls = fakeServer({
      'GET /api/v1/registry/skills': listing,
      'POST /api/v1/skills/greeter/update': ({ body }) => {
        if ((body as UpdateBody).dry_run) return { status: 200, body: report('1.1.0', []) }
        return { status: 200, body: { ...report('1.1.0', []), changed: true } }
      },
    })
    render(<RegistryPanel onChanged={() => {}} />)
    await userEvent.click(await screen.findByRole('button', { name: 'Update greeter' }))
    expect(await screen.findByText('Updated greeter from 1.0.0 to 1.1.0; it asks for no new permission.')).toBeTruthy()
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(posts(calls)).toEqual([{ dry_run: true }, { version: '1.1.0', sha256: DIGEST }])
  })

  it("shows the server's reason in the dialog when the consent is refused with 409, then checks again", async () => {
    const detail = `greeter 1.1.0 has component sha256 ${'f'.repeat(64)}, not the ${DIGEST} that was shown; nothing was installed: look at it again before accepting`
    let dryRuns = 0
    const calls = fakeServer({
      'GET /api/v1/registry/skills': listing,
      'POST /api/v1/skills/greeter/update': ({ body }) => {
        if ((body as UpdateBody).dry_run) {
          dryRuns += 1
          return { status: 200, body: report('1.1.0', ['llm: may now call the LLM router'], dryRuns > 1 ? { sha256: 'f'.repeat(64) } : {}) }
        }
        return failure(409, 'conflict', detail)
      },
    })
    const changed = vi.fn()
    render(<RegistryPanel onChanged={changed} />)
    await userEvent.click(await screen.findByRole('button', { name: 'Update greeter' }))
    await screen.findByRole('dialog')
    changed.mockClear()
    await userEvent.click(screen.getByRole('button', { name: 'Accept and update' }))

    const dialog = await screen.findByRole('dialog')
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toBe(detail)
    expect(changed).not.toHaveBeenCalled()
    expect(within(dialog).queryByRole('button', { name: 'Accept and update' })).toBeNull()

    await userEvent.click(within(dialog).getByRole('button', { name: 'Check again' }))
    expect(await screen.findByText('ffffffffffff…')).toBeTruthy()
    expect(within(screen.getByRole('dialog')).queryByRole('alert')).toBeNull()
    expect(screen.getByRole('button', { name: 'Accept and update' })).toBeTruthy()
    expect(posts(calls)).toEqual([
      { dry_run: true },
      { accept_permissions: true, version: '1.1.0', sha256: DIGEST },
      { dry_run: true },
    ])
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
