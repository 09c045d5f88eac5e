import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { App } from '../App'
import type { CollectionStats, KnowledgeAnswer, KnowledgeDocument } from '../api/types'
import { SessionProvider } from '../auth/session'
import { fakeServer, meAs, type Handler } from '../test/fakeServer'

const policies: CollectionStats = {
  name: 'policies',
  description: 'HR and travel',
  created_at: '2026-12-06T10:00:00.000Z',
  documents: 1,
  chunks: 3,
  bytes: 2048,
}

const leave: KnowledgeDocument = {
  id: 'leave.md',
  title: 'Staff handbook',
  media_type: 'text/markdown',
  sha256: 'ab',
  bytes: 2048,
  chunks: 3,
  tags: ['hr'],
  date: '2026-01-15',
  added_at: '2026-12-06T10:00:00.000Z',
}

const answer: KnowledgeAnswer = {
  answer: 'Staff get twenty-five days [1].',
  found: true,
  citations: [{ number: 1, document: 'leave.md', title: 'Staff handbook', heading_path: ['Staff handbook', 'Annual leave'], page: null, position: 0 }],
  passages: [
    {
      number: 1,
      rank: 1,
      document: 'leave.md',
      title: 'Staff handbook',
      position: 0,
      heading_path: ['Staff handbook', 'Annual leave'],
      text: 'Every employee gets twenty-five days of annual leave.',
      score: 2.5,
    },
  ],
}

beforeEach(() => sessionStorage.setItem('praximous.apiKey', 'a-key'))
afterEach(() => {
  vi.unstubAllGlobals()
  sessionStorage.clear()
})

/** The Knowledge page, signed in as `role`, against `routes`. */
function renderAs(role: 'user' | 'operator', routes: Record<string, Handler>) {
  const calls = fakeServer({ 'GET /api/v1/auth/me': meAs(role), ...routes })
  render(
    <MemoryRouter initialEntries={['/knowledge']}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </MemoryRouter>,
  )
  return calls
}

describe('Knowledge', () => {
  it('asks a collection and shows the answer with its citations, each opening on its passage', async () => {
    const calls = renderAs('user', {
      'GET /api/v1/knowledge/collections': () => ({ status: 200, body: [policies] }),
      'GET /api/v1/knowledge/collections/policies/documents': () => ({ status: 200, body: [leave] }),
      'POST /api/v1/process': () => ({
        status: 200,
        body: { status: 'success', request_id: 'r1', message: null, details: null, result: answer },
      }),
    })
    await userEvent.click(await screen.findByRole('button', { name: 'policies' }))
    expect(await screen.findByTestId('document-leave.md')).toBeTruthy()
    // A user searches but does not manage.
    expect(screen.queryByRole('form', { name: 'Upload documents' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Delete collection policies' })).toBeNull()

    await userEvent.type(screen.getByLabelText('Question'), 'How many days of leave?')
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }))
    const shown = await screen.findByTestId('knowledge-answer')
    expect(within(shown).getByText('Staff get twenty-five days [1].')).toBeTruthy()
    const citation = within(shown).getByText(/\[1\] leave\.md: Staff handbook › Annual leave/)
    await userEvent.click(citation)
    expect(within(shown).getByText('Every employee gets twenty-five days of annual leave.')).toBeTruthy()
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/v1/process')?.body).toEqual({
      task_type: 'knowledge_retrieval',
      prompt: 'How many days of leave?',
      collection: 'policies',
    })
  })

  it('says how each collection is searched, and how far a change of model has come', async () => {
    const meaning: CollectionStats = {
      ...policies,
      name: 'handbook',
      embedding: {
        route: 'embed',
        model: 'nomic-embed',
        dimension: 768,
        vectors: 10,
        reembedding: { model: 'nomic-embed-v2', done: 3, total: 10 },
      },
    }
    renderAs('user', {
      'GET /api/v1/knowledge/collections': () => ({ status: 200, body: [policies, meaning] }),
    })
    expect((await screen.findByTestId('searched-by-policies')).textContent).toBe('words')
    expect(screen.getByTestId('searched-by-handbook').textContent).toBe(
      'words and meaning (nomic-embed, 768 dimensions); re-embedding with nomic-embed-v2: 3 of 10',
    )
  })

  it('lets an operator make a collection', async () => {
    let list: CollectionStats[] = []
    const calls = renderAs('operator', {
      'GET /api/v1/knowledge/collections': () => ({ status: 200, body: list }),
      'POST /api/v1/knowledge/collections': ({ body }) => {
        const made = { ...policies, name: (body as { name: string }).name, documents: 0, chunks: 0, bytes: 0 }
        list = [made]
        return { status: 201, body: made }
      },
      'GET /api/v1/knowledge/collections/handbook/documents': () => ({ status: 200, body: [] }),
    })
    expect(await screen.findByText(/No collection yet/)).toBeTruthy()
    await userEvent.type(screen.getByLabelText('Name'), 'handbook')
    await userEvent.click(screen.getByRole('button', { name: 'Make collection' }))
    expect(await screen.findByTestId('collection-handbook')).toBeTruthy()
    expect(await screen.findByRole('form', { name: 'Upload documents' })).toBeTruthy()
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/v1/knowledge/collections')?.body).toEqual({ name: 'handbook', description: '' })
  })
})
