import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from './App'
import { SessionProvider } from './auth/session'
import type { ErrorCode } from './api/types'
import { failure, fakeServer, meAs } from './test/fakeServer'
import { builtinSkill } from './test/fixtures'

function renderApp(path = '/') {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </MemoryRouter>,
  )
}

async function signIn(key: string) {
  await userEvent.type(await screen.findByLabelText('API key'), key)
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))
}

const skills = {
  echo: builtinSkill('echo', 'Echoes', {
    echo: { description: 'echo', parameters_schema: {}, params: { type: 'object' }, example_request_payload: null },
  }),
}

beforeEach(() => sessionStorage.clear())
afterEach(() => vi.unstubAllGlobals())

describe('sign-in and roles', () => {
  it('a wrong key stays on sign-in with the server’s reason', async () => {
    fakeServer({ 'GET /api/v1/auth/me': () => failure(403, 'invalid_key', 'Access denied: Invalid API key.') })
    renderApp('/analytics')
    await signIn('nope')
    expect(await screen.findByText(/Access denied: Invalid API key\. Check the key/)).toBeTruthy()
    expect(sessionStorage.length).toBe(0)
  })

  it('a user key sees only what its role may use, and keeps the key for this tab only', async () => {
    const calls = fakeServer({ 'GET /api/v1/auth/me': meAs('user'), 'GET /api/v1/skills': () => ({ status: 200, body: skills }) })
    renderApp('/')
    await signIn('user-secret')
    expect(await screen.findByRole('heading', { name: 'Task console' })).toBeTruthy()
    const nav = screen.getByRole('navigation', { name: 'Main' })
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Task console', 'Skills'])
    expect(sessionStorage.getItem('praximous.apiKey')).toBe('user-secret')
    expect(localStorage.length).toBe(0)
    expect(calls.every((c) => c.key === 'user-secret')).toBe(true)
  })

  it('an admin sees every page', async () => {
    fakeServer({ 'GET /api/v1/auth/me': meAs('admin') })
    renderApp('/keys')
    await signIn('admin-secret')
    const nav = await screen.findByRole('navigation', { name: 'Main' })
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toEqual([
      'Dashboard',
      'Task console',
      'Skills',
      'Analytics',
      'Providers & routing',
      'API keys',
      'Licence',
      'Admin audit',
    ])
  })

  // The error's `code` decides, never its text: these three mean the key itself was refused.
  it.each<[number, ErrorCode, string]>([
    [401, 'not_authenticated', 'Not authenticated: API key is missing.'],
    [403, 'invalid_key', 'Access denied: Invalid API key.'],
    [403, 'role_required', "This endpoint requires the 'operator' role."],
  ])('a %i with code %s from any later call returns to sign-in with its detail', async (status, code, detail) => {
    let revoked = false
    fakeServer({
      'GET /api/v1/auth/me': meAs('user'),
      'GET /api/v1/skills': () => (revoked ? failure(status, code, detail) : { status: 200, body: skills }),
    })
    renderApp('/console')
    await signIn('soon-revoked')
    await screen.findByRole('heading', { name: 'Task console' })
    revoked = true
    await userEvent.click(screen.getByRole('link', { name: 'Skills' }))
    expect(await screen.findByText(`Signed out: ${detail}`)).toBeTruthy()
    expect(screen.getByLabelText('API key')).toBeTruthy()
    expect(sessionStorage.length).toBe(0)
  })

  it('a 403 with code forbidden (a skill denied a capability) keeps the session, even if it reads like an auth failure', async () => {
    fakeServer({
      'GET /api/v1/auth/me': meAs('user'),
      'GET /api/v1/skills': () => ({ status: 200, body: skills }),
      'POST /api/v1/process': () => failure(403, 'forbidden', 'Access denied: the skill may not reach example.com.'),
    })
    renderApp('/console')
    await signIn('user-secret')
    await userEvent.selectOptions(await screen.findByLabelText('Skill operation or LLM route'), 'skill:echo:echo')
    await userEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await screen.findByRole('heading', { name: 'Error 403' })).toBeTruthy()
    expect(screen.getByText('Access denied: the skill may not reach example.com.')).toBeTruthy()
    expect(screen.getByRole('heading', { name: 'Task console' })).toBeTruthy()
    expect(screen.queryByLabelText('API key')).toBeNull()
    expect(sessionStorage.getItem('praximous.apiKey')).toBe('user-secret')
  })
})
