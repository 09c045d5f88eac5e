import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from './App'
import { SessionProvider } from './auth/session'
import { fakeServer, meAs } from './test/fakeServer'
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
    fakeServer({ 'GET /api/v1/auth/me': () => ({ status: 403, body: { detail: 'Access denied: Invalid API key.' } }) })
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
    ])
  })

  it('a 401 or 403 from any later call returns to sign-in with a clear message', async () => {
    let revoked = false
    fakeServer({
      'GET /api/v1/auth/me': meAs('user'),
      'GET /api/v1/skills': () =>
        revoked ? { status: 403, body: { detail: 'Access denied: Invalid API key.' } } : { status: 200, body: skills },
    })
    renderApp('/console')
    await signIn('soon-revoked')
    await screen.findByRole('heading', { name: 'Task console' })
    revoked = true
    await userEvent.click(screen.getByRole('link', { name: 'Skills' }))
    expect(await screen.findByText('Signed out: Access denied: Invalid API key.')).toBeTruthy()
    expect(screen.getByLabelText('API key')).toBeTruthy()
    expect(sessionStorage.length).toBe(0)
  })
})
