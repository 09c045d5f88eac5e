import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from '../App'
import { SessionProvider } from '../auth/session'
import { failure, fakeServer, meAs } from '../test/fakeServer'
import { builtinSkill } from '../test/fixtures'

const math = builtinSkill('simple_math', 'Arithmetic', {
  calculate: {
    description: 'Two numbers',
    parameters_schema: {},
    params: {
      type: 'object',
      properties: { operation: { type: 'string', enum: ['add', 'divide'] }, num1: { type: 'number' }, num2: { type: 'number' } },
      required: ['num1', 'num2'],
    },
    example_request_payload: { task_type: 'simple_math', prompt: 'Calc', operation: 'divide', num1: 10, num2: 4 },
  },
})

beforeEach(() => sessionStorage.setItem('praximous.apiKey', 'op-key'))
afterEach(() => {
  vi.unstubAllGlobals()
  sessionStorage.clear()
})

function renderConsole() {
  render(
    <MemoryRouter initialEntries={['/console']}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </MemoryRouter>,
  )
}

describe('Task console', () => {
  it('builds a form from the operation schema, checks it, runs it and shows the answer', async () => {
    const calls = fakeServer({
      'GET /api/v1/auth/me': meAs('operator'),
      'GET /api/v1/skills': () => ({ status: 200, body: { simple_math: math } }),
      'GET /api/v1/providers': () => ({ status: 200, body: { providers: [], routes: { default_llm_tasks: ['a'] } } }),
      'POST /api/v1/process': ({ body }) => {
        const { num1, num2 } = body as { num1: number; num2: number }
        return { status: 200, body: { status: 'success', result: { result: num1 / num2 }, message: 'Done', details: null, request_id: 'req-42' } }
      },
    })
    renderConsole()
    const target = await screen.findByLabelText('Skill operation or LLM route')
    expect(await screen.findByRole('option', { name: 'default_llm_tasks' })).toBeTruthy()
    await userEvent.selectOptions(target, 'skill:simple_math:calculate')
    // `calculate` is not one of the schema's operations, so nothing is preset.
    expect((screen.getByLabelText('operation') as HTMLSelectElement).value).toBe('')
    await userEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await screen.findByText('num1 is required.')).toBeTruthy()
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await userEvent.click(screen.getByRole('button', { name: 'Fill in the example' }))
    expect((screen.getByLabelText(/^num1/) as HTMLInputElement).value).toBe('10')
    await userEvent.clear(screen.getByLabelText(/^num2/))
    await userEvent.type(screen.getByLabelText(/^num2/), '5')
    await userEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await screen.findByText('Done')).toBeTruthy()
    expect(screen.getByTestId('result').textContent).toContain('"result": 2')
    expect(screen.getByTestId('request-id').textContent).toBe('req-42')
    const sent = calls.find((c) => c.method === 'POST')?.body
    expect(sent).toEqual({ task_type: 'simple_math', prompt: 'Calc', operation: 'divide', num1: 10, num2: 5 })
  })

  it('presets the operation the schema offers, and shows a skill’s refusal without signing out', async () => {
    const divide = { ...math, operations: { divide: math.operations.calculate } }
    const calls = fakeServer({
      'GET /api/v1/auth/me': meAs('user'),
      'GET /api/v1/skills': () => ({ status: 200, body: { simple_math: divide } }),
      'POST /api/v1/process': () => failure(403, 'forbidden', 'Network access denied (Details: not allowed)'),
    })
    renderConsole()
    await userEvent.selectOptions(await screen.findByLabelText('Skill operation or LLM route'), 'skill:simple_math:divide')
    expect((screen.getByLabelText('operation') as HTMLSelectElement).value).toBe('divide')
    await userEvent.type(screen.getByLabelText(/^num1/), '1')
    await userEvent.type(screen.getByLabelText(/^num2/), '2')
    await userEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await screen.findByText('Network access denied (Details: not allowed)')).toBeTruthy()
    expect(screen.getByRole('heading', { name: 'Error 403' })).toBeTruthy()
    expect(screen.getByTestId('request-id').textContent).toBe('req-from-header')
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ task_type: 'simple_math', prompt: '', operation: 'divide', num1: 1, num2: 2 })
    expect(sessionStorage.getItem('praximous.apiKey')).toBe('op-key')
  })

  it('runs a task type typed by hand, for routes a user key cannot list', async () => {
    const calls = fakeServer({
      'GET /api/v1/auth/me': meAs('user'),
      'GET /api/v1/skills': () => ({ status: 200, body: { simple_math: math } }),
      'POST /api/v1/process': () => ({ status: 200, body: { status: 'success', result: { text: 'Hi' }, message: null, details: null, request_id: 'r-7' } }),
    })
    renderConsole()
    await userEvent.selectOptions(await screen.findByLabelText('Skill operation or LLM route'), 'other')
    await userEvent.type(screen.getByLabelText('Task type'), 'default_llm_tasks')
    await userEvent.type(screen.getByLabelText('Prompt'), 'Say hi')
    await userEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await screen.findByTestId('result')).toBeTruthy()
    expect(calls.some((c) => c.path === '/api/v1/providers')).toBe(false)
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ task_type: 'default_llm_tasks', prompt: 'Say hi' })
  })

  it('streams an answer as it arrives, and shows an answer cut short as incomplete', async () => {
    const event = (name: string, data: object) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`
    const frames = [
      event('start', { type: 'start', request_id: 'req-s' }),
      event('delta', { type: 'delta', text: 'Hél', index: 0 }),
      event('delta', { type: 'delta', text: 'lo ', index: 1 }),
      event('error', { type: 'error', status: 502, code: 'incomplete_answer', detail: 'The answer is incomplete: provider a failed.', delivered: 'Hél' + 'lo ' }),
    ]
    // Cut each frame in two, one cut inside the two-byte é.
    const chunks = frames.flatMap((frame) => [frame.slice(0, 20), frame.slice(20)])
    fakeServer({
      'GET /api/v1/auth/me': meAs('user'),
      'GET /api/v1/skills': () => ({ status: 200, body: { simple_math: math } }),
      'POST /api/v1/process': () => ({ status: 200, chunks }),
    })
    renderConsole()
    await userEvent.selectOptions(await screen.findByLabelText('Skill operation or LLM route'), 'other')
    await userEvent.type(screen.getByLabelText('Task type'), 'default_llm_tasks')
    await userEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await screen.findByRole('heading', { name: 'Incomplete answer' })).toBeTruthy()
    expect(screen.getByTestId('partial').textContent).toBe('Héllo ')
    expect(screen.getByText('The answer is incomplete: provider a failed.')).toBeTruthy()
    expect(screen.getByTestId('request-id').textContent).toBe('req-s')
  })

  it('shows the text so far while it streams, and Stop cancels the task', async () => {
    const calls = fakeServer({
      'GET /api/v1/auth/me': meAs('user'),
      'GET /api/v1/skills': () => ({ status: 200, body: { simple_math: math } }),
      'POST /api/v1/process': () => ({
        status: 200,
        open: true,
        chunks: ['event: start\ndata: {"type":"start","request_id":"req-x"}\n\n', 'event: delta\ndata: {"type":"delta","text":"Once upon","index":0}\n\n'],
      }),
    })
    renderConsole()
    await userEvent.selectOptions(await screen.findByLabelText('Skill operation or LLM route'), 'other')
    await userEvent.type(screen.getByLabelText('Task type'), 'story')
    await userEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect((await screen.findByTestId('live-text')).textContent).toBe('Once upon')
    expect(screen.getByRole('button', { name: 'Running…' })).toHaveProperty('disabled', true)
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }))
    expect(await screen.findByRole('heading', { name: 'Stopped' })).toBeTruthy()
    expect(screen.getByTestId('partial').textContent).toBe('Once upon')
    expect(screen.queryByTestId('live')).toBeNull()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toEqual({ task_type: 'story', prompt: '' })
  })
})
