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
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Task console', 'Skills', 'Knowledge'])
    expect(sessionStorage.getItem('praximous.apiKey')).toBe('user-secret')
    expect(localStorage.length).toBe(0)
    // Every call but the public one asking whether single sign-on is offered.
    expect(calls.filter((c) => c.path !== '/api/v1/auth/sso').every((c) => c.key === 'user-secret')).toBe(true)
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
      'Knowledge',
      'Analytics',
      'Providers & routing',
      'API keys',
      'Users',
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

describe('single sign-on', () => {
  const ssoOn = () => ({ status: 200, body: { enabled: true, display_name: 'Acme SSO', login_url: '/api/v1/auth/sso/login' } })
  const olga = {
    id: 'usr_1',
    issuer: 'https://idp.example',
    subject: 'olga',
    email: 'olga@acme.example',
    name: 'Olga',
    groups: ['prax-ops'],
    mapped_role: 'operator',
    role_override: null,
    role: 'operator',
    role_granted_at: '2026-12-06T10:00:00.000Z',
    role_granted_by: 'sso:groups',
    disabled_at: null,
    disabled_by: null,
    created_at: '2026-12-06T10:00:00.000Z',
    last_seen_at: '2026-12-06T10:00:00.000Z',
  }
  const sessionMe = () => ({
    status: 200,
    body: {
      key_id: 'user:usr_1',
      key_name: 'olga@acme.example',
      role: 'operator',
      skills: null,
      routes: null,
      signed_in_with: 'session',
      user: olga,
      csrf_token: 'csrf-123',
    },
  })

  it('offers the provider beside keys, returning to the page asked for', async () => {
    fakeServer({ 'GET /api/v1/auth/sso': ssoOn, 'GET /api/v1/auth/me': () => failure(401, 'not_authenticated', 'no session') })
    renderApp('/analytics')
    const link = await screen.findByTestId('sso-sign-in')
    expect(link.textContent).toBe('Sign in with Acme SSO')
    expect(link.getAttribute('href')).toBe('/api/v1/auth/sso/login?return_to=%2Fanalytics')
    expect(screen.getByLabelText('API key')).toBeTruthy()
  })

  it('says why the provider’s sign-in failed', async () => {
    fakeServer({ 'GET /api/v1/auth/sso': ssoOn })
    renderApp('/signin?sso_error=the%20ID%20token%20has%20expired')
    expect((await screen.findByTestId('sso-error')).textContent).toBe('Single sign-on failed: the ID token has expired')
  })

  it('a browser with a session goes straight in, sends its CSRF token with changes, and signs out at the provider', async () => {
    const assign = vi.fn()
    vi.stubGlobal('location', { ...window.location, assign, origin: window.location.origin })
    const calls = fakeServer({
      'GET /api/v1/auth/sso': ssoOn,
      'GET /api/v1/auth/me': sessionMe,
      'POST /api/v1/auth/sign-out': () => ({ status: 200, body: { end_session_url: 'https://idp.example/logout?id_token_hint=x' } }),
    })
    renderApp('/signin')
    const nav = await screen.findByRole('navigation', { name: 'Main' })
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toContain('My keys')
    expect(screen.getByText('olga@acme.example')).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }))
    expect(await screen.findByLabelText('API key')).toBeTruthy()
    const signOut = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/auth/sign-out')
    expect(signOut?.csrf).toBe('csrf-123')
    expect(signOut?.key).toBeNull()
    expect(assign).toHaveBeenCalledWith('https://idp.example/logout?id_token_hint=x')
  })
})
