// The one way the UI talks to prax: a client typed by the server's OpenAPI document
// (schema.d.ts, generated from ui/openapi.json). Every call carries the session's key; every
// answer that is not 2xx is thrown as an ApiError, and one whose `code` says the key is missing,
// invalid or lacks the role ends the session with its `detail`.

import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import type { ErrorCode } from './types'

/** The error codes that mean the key itself was refused: the session ends. */
const AUTH_FAILURE_CODES: ReadonlySet<string> = new Set<ErrorCode>(['not_authenticated', 'invalid_key', 'role_required'])

/** An API answer that was not 2xx. */
export class ApiError extends Error {
  readonly status: number
  readonly detail: string
  /** The body's machine-readable `code`; null when the answer had none (not from prax, say a proxy's 502). */
  readonly code: ErrorCode | null
  /** The answer's `X-Request-Id`, to find it in analytics. */
  readonly requestId: string | null

  constructor(status: number, detail: string, requestId: string | null = null, code: ErrorCode | null = null) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.requestId = requestId
    this.code = code
  }

  /** Whether the key itself was refused (not, say, a skill denying a capability: `forbidden`). */
  get isAuthFailure(): boolean {
    return this.code !== null && AUTH_FAILURE_CODES.has(this.code)
  }
}

/** Called when the key is refused: the session listens and returns to sign-in. */
type AuthFailureListener = (message: string) => void

let sessionKey: string | null = null
let csrfToken: string | null = null
let onAuthFailure: AuthFailureListener = () => {}

/** Use `key` for every call from now on (`null` to sign out). */
export function setApiKey(key: string | null): void {
  sessionKey = key
}

/**
 * Signed in with single sign-on, the browser's session cookie authenticates each call; every
 * call that changes something must also carry the session's CSRF token (`null` to stop).
 */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Methods that change nothing, which need no CSRF token. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

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

/** The `code` of an error body, or null when it has none. */
export function codeOf(body: unknown): ErrorCode | null {
  if (body && typeof body === 'object' && 'code' in body && typeof body.code === 'string') return body.code as ErrorCode
  return null
}

/** The ApiError for a non-2xx `response` (its body is read). */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text()
  let body: unknown = null
  try {
    body = JSON.parse(text)
  } catch {
    body = null
  }
  return new ApiError(response.status, detailOf(body, text || response.statusText), response.headers.get('X-Request-Id'), codeOf(body))
}

/**
 * The headers that authenticate a request of `method` outside the typed client (an upload
 * with progress goes through XMLHttpRequest): the key, or the session's CSRF token.
 */
export function authHeaders(method: string): Record<string, string> {
  if (sessionKey) return { 'X-API-Key': sessionKey }
  if (csrfToken && !SAFE_METHODS.has(method.toUpperCase())) return { 'X-CSRF-Token': csrfToken }
  return {}
}

/** Tell the session a key was refused (a call made outside the typed client). */
export function reportAuthFailure(error: ApiError): void {
  if (error.isAuthFailure) onAuthFailure(error.detail)
}

/** Adds the key to each request; turns each non-2xx answer into a thrown ApiError. */
const session: Middleware = {
  onRequest({ request }) {
    if (sessionKey) request.headers.set('X-API-Key', sessionKey)
    else if (csrfToken && !SAFE_METHODS.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken)
    return request
  },
  async onResponse({ response }) {
    if (response.ok) return response
    const error = await apiErrorOf(response)
    if (error.isAuthFailure) onAuthFailure(error.detail)
    throw error
  },
}

/**
 * The typed client: `api.GET('/api/v1/keys', { signal })`, `api.POST('/api/v1/keys', { body })`,
 * path parameters in `params.path`, query parameters in `params.query`. It throws ApiError for
 * every answer that is not 2xx, so `data` is there whenever the call returns (see `dataOf`).
 */
export const api = createClient<paths>({
  // Absolute, so that `new Request()` also works where there is no document base (the tests).
  baseUrl: globalThis.location?.origin ?? '',
  // Looked up on each call rather than captured now, so the tests' stubbed fetch is used.
  fetch: (request) => globalThis.fetch(request),
})
api.use(session)

/** What each call of `api` resolves to (openapi-fetch's answer, success or error). */
interface Answer<T> {
  data?: T
  response: Response
}

/** The `data` of a call: the parsed 2xx body (ApiError was thrown for any other). */
export async function dataOf<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data } = await call
  return data as T
}

/**
 * The `data` of a call whose answer openapi.json types only as "an object" (GET /api/v1/skills
 * and /skills/{skill_name}/capabilities), as `T`, its hand-written type in types.ts. Nothing
 * checks that cast: keep those types in step with the server by hand (better: have the server
 * describe the answer, then use `dataOf`).
 */
export async function looseDataOf<T>(call: Promise<Answer<Record<string, unknown>>>): Promise<T> {
  const { data } = await call
  return data as T
}
