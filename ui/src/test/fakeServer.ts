import { vi } from 'vitest'

/** A handler answers one `METHOD /path` (query ignored) with a status and a JSON body. */
export type Handler = (request: { url: URL; init: RequestInit; key: string | null }) => { status: number; body?: unknown }

/** Stub `fetch` with `routes` (`'GET /api/v1/auth/me'` → handler); unknown routes are 404. Returns the calls seen. */
export function fakeServer(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; key: string | null; body: unknown }[] = []
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://prax.test')
    const method = init.method ?? 'GET'
    const key = new Headers(init.headers).get('X-API-Key')
    calls.push({ method, path: url.pathname + url.search, key, body: init.body ? JSON.parse(String(init.body)) : undefined })
    const handler = routes[`${method} ${url.pathname}`]
    const { status, body } = handler ? handler({ url, init, key }) : { status: 404, body: { detail: 'Not Found' } }
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-from-header' },
    })
  })
  return calls
}

/** The answer of `/api/v1/auth/me` for a key of `role`. */
export function meAs(role: 'admin' | 'operator' | 'user'): Handler {
  return () => ({ status: 200, body: { key_id: `id-${role}`, key_name: `${role}-key`, role } })
}
