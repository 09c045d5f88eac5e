import { vi } from 'vitest'
import type { ErrorCode } from '../api/types'

/** What a handler sees of one request: its URL, method, key and JSON body (parsed). */
export interface FakeRequest {
  url: URL
  method: string
  key: string | null
  body: unknown
}

/**
 * A handler answers one `METHOD /path` (query ignored) with a status and a JSON body, or with
 * a Server-Sent Events body: `chunks` sent in order, then the end of the stream, unless `open`
 * keeps it open until the request is aborted.
 */
export type Handler = (request: FakeRequest) => { status: number; body?: unknown; chunks?: string[]; open?: boolean }

/** An error answer as prax gives it: `detail` for people, `code` for programs. */
export function failure(status: number, code: ErrorCode, detail: string): { status: number; body: { detail: string; code: ErrorCode } } {
  return { status, body: { detail, code } }
}

/**
 * Stub `fetch` with `routes` (`'GET /api/v1/auth/me'` → handler); unknown routes are 404.
 * Returns the calls seen. The client calls `fetch(request)` with a `Request`.
 */
export function fakeServer(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; key: string | null; csrf: string | null; body: unknown }[] = []
  vi.stubGlobal('fetch', async (input: Request | string, init: RequestInit = {}) => {
    const request = input instanceof Request ? input : new Request(new URL(input, 'http://prax.test'), init)
    const url = new URL(request.url)
    const method = request.method
    const key = request.headers.get('X-API-Key')
    const text = await request.text()
    const body: unknown = text ? JSON.parse(text) : undefined
    calls.push({ method, path: url.pathname + url.search, key, csrf: request.headers.get('X-CSRF-Token'), body })
    const handler = routes[`${method} ${url.pathname}`]
    const answer = handler ? handler({ url, method, key, body }) : failure(404, 'not_found', 'Not Found')
    if ('chunks' in answer && answer.chunks) {
      const { chunks, open } = answer
      const signal = request.signal
      const encoder = new TextEncoder()
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
          if (!open) controller.close()
          else signal.addEventListener('abort', () => controller.error(new DOMException('Aborted', 'AbortError')))
        },
      })
      return new Response(stream, { status: answer.status, headers: { 'Content-Type': 'text/event-stream' } })
    }
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-from-header' },
    })
  })
  return calls
}

/** The answer of `/api/v1/auth/me` for a key of `role`. */
export function meAs(role: 'admin' | 'operator' | 'user'): Handler {
  return () => ({
    status: 200,
    body: { key_id: `id-${role}`, key_name: `${role}-key`, role, skills: null, routes: null, signed_in_with: 'key', user: null, csrf_token: null },
  })
}
