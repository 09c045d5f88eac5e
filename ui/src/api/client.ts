// The one way the UI talks to prax: every call carries the session's key, and an answer that
// says the key is missing, invalid or lacks the role ends the session with that message.

/** An API answer that was not 2xx. */
export class ApiError extends Error {
  readonly status: number
  readonly detail: string
  /** The answer's `X-Request-Id`, to find it in analytics. */
  readonly requestId: string | null

  constructor(status: number, detail: string, requestId: string | null = null) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.requestId = requestId
  }

  /** Whether the key itself was refused (not, say, a skill denying a capability). */
  get isAuthFailure(): boolean {
    return this.status === 401 || (this.status === 403 && this.detail.startsWith('Access denied:'))
  }
}

/** Called when the key is refused: the session listens and returns to sign-in. */
type AuthFailureListener = (message: string) => void

let sessionKey: string | null = null
let onAuthFailure: AuthFailureListener = () => {}

/** Use `key` for every call from now on (`null` to sign out). */
export function setApiKey(key: string | null): void {
  sessionKey = key
}

/** Register the listener for refused keys. */
export function setAuthFailureListener(listener: AuthFailureListener): void {
  onAuthFailure = listener
}

/** The `detail` of an error body, as text, whatever its shape (string or FastAPI-style list). */
export function detailOf(body: unknown, fallback: string): string {
  if (body && typeof body === 'object' && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail
    if (typeof detail === 'string') return detail
    if (Array.isArray(detail)) {
      return detail
        .map((issue) => (issue && typeof issue === 'object' && 'msg' in issue ? String(issue.msg) : JSON.stringify(issue)))
        .join('; ')
    }
    return JSON.stringify(detail)
  }
  return fallback
}

function headers(extra?: HeadersInit): Headers {
  const result = new Headers(extra)
  if (sessionKey) result.set('X-API-Key', sessionKey)
  return result
}

/** A raw response, after the key check. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: headers(init.headers) })
  if (!response.ok) {
    const text = await response.text()
    let body: unknown = null
    try {
      body = JSON.parse(text)
    } catch {
      body = null
    }
    const error = new ApiError(
      response.status,
      detailOf(body, text || response.statusText),
      response.headers.get('X-Request-Id'),
    )
    if (error.isAuthFailure) onAuthFailure(error.detail)
    throw error
  }
  return response
}

/** GET `path` as JSON. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await request(path, { signal })
  return (await response.json()) as T
}

/** `method` `path` with `body` as JSON; the answer as JSON (or `null` when empty). */
export async function sendJson<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await request(path, {
    method,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return (text ? JSON.parse(text) : null) as T
}

/** `base` with the non-empty `params` as its query string. */
export function withQuery(base: string, params: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value))
  }
  const text = query.toString()
  return text ? `${base}?${text}` : base
}
