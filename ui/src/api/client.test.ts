import { afterEach, describe, expect, it, vi } from 'vitest'
import { failure, fakeServer } from '../test/fakeServer'
import { api, ApiError, dataOf, setApiKey, setAuthFailureListener, setCsrfToken } from './client'

afterEach(() => {
  vi.unstubAllGlobals()
  setApiKey(null)
  setAuthFailureListener(() => {})
})

describe('api client', () => {
  it('sends the key and the query, and returns the body', async () => {
    const calls = fakeServer({ 'GET /api/v1/analytics': () => ({ status: 200, body: { total_matches: 0, limit: 8, offset: 0, data: [] } }) })
    setApiKey('the-key')
    const page = await dataOf(api.GET('/api/v1/analytics', { params: { query: { limit: 8, status: 'error', task_type: undefined } } }))
    expect(page.limit).toBe(8)
    expect(calls).toEqual([{ method: 'GET', path: '/api/v1/analytics?limit=8&status=error', key: 'the-key', csrf: null, body: undefined }])
  })

  it('with a single sign-on session, sends the CSRF token with changes only', async () => {
    const calls = fakeServer({
      'GET /api/v1/keys': () => ({ status: 200, body: [] }),
      'POST /api/v1/auth/sign-out': () => ({ status: 200, body: { end_session_url: null } }),
    })
    setApiKey(null)
    setCsrfToken('csrf-abc')
    try {
      await dataOf(api.GET('/api/v1/keys'))
      await dataOf(api.POST('/api/v1/auth/sign-out'))
    } finally {
      setCsrfToken(null)
    }
    expect(calls.map((c) => [c.method, c.csrf, c.key])).toEqual([
      ['GET', null, null],
      ['POST', 'csrf-abc', null],
    ])
  })

  it('throws an ApiError with status, detail, code and request id; only auth codes end the session', async () => {
    const refused = vi.fn()
    setAuthFailureListener(refused)
    fakeServer({
      'GET /api/v1/keys': () => failure(403, 'role_required', "This endpoint requires the 'admin' role."),
      'GET /api/v1/providers': () => failure(403, 'forbidden', 'Access denied: not for you.'),
    })
    const error = await dataOf(api.GET('/api/v1/keys')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 403, code: 'role_required', detail: "This endpoint requires the 'admin' role.", requestId: 'req-from-header' })
    expect(refused).toHaveBeenCalledWith("This endpoint requires the 'admin' role.")

    refused.mockClear()
    const denied = await dataOf(api.GET('/api/v1/providers')).catch((e: unknown) => e)
    expect(denied).toMatchObject({ status: 403, code: 'forbidden', isAuthFailure: false })
    expect(refused).not.toHaveBeenCalled()
  })

  it('an answer without a code (not from prax) keeps its text and is no auth failure', async () => {
    const refused = vi.fn()
    setAuthFailureListener(refused)
    vi.stubGlobal('fetch', async () => new Response('Bad Gateway from the proxy', { status: 502 }))
    const error = await dataOf(api.GET('/api/v1/system')).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 502, code: null, detail: 'Bad Gateway from the proxy', isAuthFailure: false })
    expect(refused).not.toHaveBeenCalled()
  })
})
