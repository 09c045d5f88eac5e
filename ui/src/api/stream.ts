// Running a task as a stream: POST /api/v1/process with `Accept: text/event-stream`, read as
// Server-Sent Events (eventsource-parser) while they arrive. The same client as every other
// call (the session's key, ApiError for any non-2xx answer); a server or proxy that answers with
// the whole JSON envelope instead is understood too.

import { createParser } from 'eventsource-parser'
import { api } from './client'
import type { ErrorCode, ProcessRequest, ProcessResponse, TaskEvent } from './types'

/** How a streamed task ended. */
export type StreamEnd =
  | { kind: 'result'; response: ProcessResponse }
  | { kind: 'error'; status: number; code: ErrorCode; detail: string; delivered: string; requestId: string | null }

/** What the caller hears while the task runs. */
export interface StreamListener {
  /** The task runs under this request id. */
  onStart?: (requestId: string) => void
  /** More of the answer. */
  onDelta?: (text: string) => void
}

/** Run `body` as a stream. Aborting `signal` cancels the task on the server (it sees the
 *  connection close) and rejects with the abort's error. */
export async function streamTask(body: ProcessRequest, listener: StreamListener, signal?: AbortSignal): Promise<StreamEnd> {
  const { data, response } = await api.POST('/api/v1/process', {
    body,
    headers: { Accept: 'text/event-stream' },
    parseAs: 'stream',
    signal,
  })
  const type = response.headers.get('Content-Type') ?? ''
  if (!type.startsWith('text/event-stream')) {
    const whole = (await response.json()) as ProcessResponse
    return { kind: 'result', response: whole }
  }
  if (!data) throw new Error('the stream has no body')
  let requestId: string | null = null
  let end: StreamEnd | null = null
  const parser = createParser({
    onEvent(message) {
      const event = JSON.parse(message.data) as TaskEvent
      switch (event.type) {
        case 'start':
          requestId = event.request_id
          listener.onStart?.(event.request_id)
          break
        case 'delta':
          listener.onDelta?.(event.text)
          break
        case 'result': {
          const { type: _type, ...response } = event
          end = { kind: 'result', response }
          break
        }
        case 'error':
          end = { kind: 'error', status: event.status, code: event.code, detail: event.detail, delivered: event.delivered, requestId }
          break
      }
    },
  })
  const reader = data.pipeThrough(new TextDecoderStream()).getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parser.feed(value)
  }
  if (end) return end
  return {
    kind: 'error',
    status: 0,
    code: 'incomplete_answer',
    detail: 'The connection closed before the task ended: what is shown is not the whole answer.',
    delivered: '',
    requestId,
  }
}
