// A stand-in OpenAI-compatible provider for the end-to-end tests: `POST /v1/chat/completions`
// with `stream: true` answers in OpenAI's streaming format (role chunk, content chunks, the
// finish reason, a usage chunk, `data: [DONE]`), one word every 60 ms; a prompt containing
// "long" gets 2000 words, and numbered passages an answer that cites the first. `GET /stats` says how many streams the caller closed early.
import { createServer, type Server } from 'node:http'

/** The words of an answer to `prompt`. */
export function words(prompt: string): string[] {
  // knowledge_retrieval sends numbered passages: answer as a model would, citing the first.
  if (prompt.startsWith('Passages:')) return ['The ', 'handbook ', 'says ', 'so ', '[1].']
  const count = prompt.includes('long') ? 2000 : 12
  return Array.from({ length: count }, (_, i) => `wörd${i} `)
}

export function startStandin(): Promise<{ server: Server; url: string }> {
  let disconnects = 0
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/stats') {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify({ disconnects }))
      return
    }
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      const parsed = JSON.parse(body) as { model: string; stream?: boolean; messages: { content: string }[] }
      const prompt = parsed.messages.at(-1)?.content ?? ''
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'chatcmpl-ui', object: 'chat.completion.chunk', created: 1, model: parsed.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
      const answer = words(prompt)
      if (!parsed.stream) {
        response.writeHead(200, { 'Content-Type': 'application/json' })
        response.end(
          JSON.stringify({
            id: 'chatcmpl-ui',
            object: 'chat.completion',
            model: parsed.model,
            choices: [{ index: 0, message: { role: 'assistant', content: answer.join('') }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 5, completion_tokens: answer.length, total_tokens: 5 + answer.length },
          }),
        )
        return
      }
      response.writeHead(200, { 'Content-Type': 'text/event-stream' })
      response.write(chunk({ role: 'assistant', content: '' }, null))
      let sent = 0
      let finished = false
      const timer = setInterval(() => {
        if (sent < answer.length) {
          response.write(chunk({ content: answer[sent] }, null))
          sent += 1
          return
        }
        clearInterval(timer)
        finished = true
        response.write(chunk({}, 'stop'))
        response.write(
          `data: ${JSON.stringify({ id: 'chatcmpl-ui', object: 'chat.completion.chunk', created: 1, model: parsed.model, choices: [], usage: { prompt_tokens: 5, completion_tokens: answer.length, total_tokens: 5 + answer.length } })}\n\n`,
        )
        response.end('data: [DONE]\n\n')
      }, 60)
      response.on('close', () => {
        clearInterval(timer)
        if (!finished) disconnects += 1
      })
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      resolve({ server, url: `http://127.0.0.1:${port}` })
    })
  })
}
