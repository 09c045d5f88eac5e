import { useState, type FormEvent } from 'react'
import { api, ApiError, dataOf } from '../api/client'
import type { CollectionStats, KnowledgeAnswer, KnowledgeDocument, Passage, ProcessResponse, UploadAnswer } from '../api/types'
import { uploadDocuments } from '../api/upload'
import { useApi } from '../api/useApi'
import { hasRole } from '../auth/roles'
import { useSession } from '../auth/session'
import { Empty, Show } from '../components/States'
import { formatBytes, formatTime } from '../format'

/** The text of a failure, for people. */
function messageOf(failure: unknown): string {
  return failure instanceof ApiError ? failure.detail : failure instanceof Error ? failure.message : String(failure)
}

/** Where a passage is: its title and headings (or page). */
function placeOf(passage: { title: string; heading_path: string[]; page?: number | null }): string {
  const parts = [passage.title, ...passage.heading_path.filter((h) => h !== passage.title)]
  if (passage.page != null) parts.push(`page ${passage.page}`)
  return parts.join(' › ')
}

/**
 * Private documents in collections: operators make collections and upload documents (with
 * progress); everyone asks a collection a question and sees the answer with its citations, each
 * expandable to the passage it came from, or searches for passages alone.
 */
/** How a collection is searched: by words, or by words and meaning with which model. */
function searchedBy(collection: CollectionStats): string {
  const embedding = collection.embedding
  if (!embedding) return 'words'
  const model = embedding.model ? `${embedding.model}, ${embedding.dimension ?? '?'} dimensions` : 'no vectors yet'
  const moving = embedding.reembedding
    ? `; re-embedding with ${embedding.reembedding.model}: ${embedding.reembedding.done} of ${embedding.reembedding.total}`
    : ''
  return `words and meaning (${model})${moving}`
}

export function Knowledge() {
  const { me } = useSession()
  const manages = me ? hasRole(me.role, 'operator') : false
  const [collections, reload] = useApi((s) => dataOf(api.GET('/api/v1/knowledge/collections', { signal: s })), 'collections')
  const [selected, setSelected] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const remove = async (collection: CollectionStats) => {
    if (!window.confirm(`Delete collection ${collection.name} and its ${collection.documents} document(s)? This cannot be undone.`)) return
    setError(null)
    try {
      await api.DELETE('/api/v1/knowledge/collections/{name}', { params: { path: { name: collection.name } } })
      if (selected === collection.name) setSelected(null)
      reload()
    } catch (failure) {
      setError(messageOf(failure))
    }
  }

  return (
    <section aria-labelledby="knowledge-title">
      <h1 id="knowledge-title">Knowledge</h1>
      <p>Private documents, searched by their words. Ask a collection a question to get an answer that cites its passages.</p>
      {manages && (
        <NewCollection
          onMade={(name) => {
            reload()
            setSelected(name)
          }}
        />
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <Show value={collections} what="collections" onRetry={reload}>
        {(list) =>
          list.length === 0 ? (
            <Empty>No collection yet.{manages ? ' Make one above, then upload documents to it.' : ''}</Empty>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="collections">
                <thead>
                  <tr>
                    <th scope="col">Collection</th>
                    <th scope="col">Holds</th>
                    <th scope="col">Documents</th>
                    <th scope="col">Passages</th>
                    <th scope="col">Size</th>
                    <th scope="col">Searched by</th>
                    {manages && (
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {list.map((collection) => (
                    <tr key={collection.name} data-testid={`collection-${collection.name}`}>
                      <td>
                        <button
                          type="button"
                          className="collection-pick"
                          aria-pressed={selected === collection.name}
                          onClick={() => setSelected(collection.name)}
                        >
                          {collection.name}
                        </button>
                      </td>
                      <td>{collection.description || <span className="muted">–</span>}</td>
                      <td>{collection.documents}</td>
                      <td>{collection.chunks}</td>
                      <td>{formatBytes(collection.bytes)}</td>
                      <td data-testid={`searched-by-${collection.name}`}>{searchedBy(collection)}</td>
                      {manages && (
                        <td>
                          <button type="button" aria-label={`Delete collection ${collection.name}`} onClick={() => void remove(collection)}>
                            Delete
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
      {selected && <CollectionView key={selected} name={selected} manages={manages} onChanged={reload} />}
    </section>
  )
}

function NewCollection({ onMade }: { onMade: (name: string) => void }) {
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const name = String(data.get('name') ?? '').trim()
    setError(null)
    setBusy(true)
    try {
      await dataOf(api.POST('/api/v1/knowledge/collections', { body: { name, description: String(data.get('description') ?? '') } }))
      form.reset()
      onMade(name)
    } catch (failure) {
      setError(messageOf(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="actions" onSubmit={(event) => void submit(event)} aria-label="Make a collection">
      <label className="field">
        Name
        <input name="name" required pattern="[a-z0-9][a-z0-9_\-]{0,62}" title="lower-case letters, digits, _ and -" />
      </label>
      <label className="field">
        What it holds
        <input name="description" />
      </label>
      <button type="submit" disabled={busy}>
        Make collection
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}

function CollectionView({ name, manages, onChanged }: { name: string; manages: boolean; onChanged: () => void }) {
  const [documents, reload] = useApi(
    (s) => dataOf(api.GET('/api/v1/knowledge/collections/{name}/documents', { params: { path: { name } }, signal: s })),
    `documents-${name}`,
  )
  const [error, setError] = useState<string | null>(null)

  const changed = () => {
    reload()
    onChanged()
  }

  const remove = async (document: KnowledgeDocument) => {
    if (!window.confirm(`Delete ${document.id} from ${name}?`)) return
    setError(null)
    try {
      await api.DELETE('/api/v1/knowledge/collections/{name}/documents/{id}', { params: { path: { name, id: document.id } } })
      changed()
    } catch (failure) {
      setError(messageOf(failure))
    }
  }

  return (
    <section aria-labelledby="collection-title" className="outcome">
      <h2 id="collection-title">{name}</h2>
      <Ask collection={name} />
      {manages && <Upload collection={name} onUploaded={changed} />}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <h3>Documents</h3>
      <Show value={documents} what="documents" onRetry={reload}>
        {(list) =>
          list.length === 0 ? (
            <Empty>No document in {name} yet.</Empty>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="documents">
                <thead>
                  <tr>
                    <th scope="col">Document</th>
                    <th scope="col">Title</th>
                    <th scope="col">Passages</th>
                    <th scope="col">Tags</th>
                    <th scope="col">Date</th>
                    <th scope="col">Added</th>
                    {manages && (
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {list.map((document) => (
                    <tr key={document.id} data-testid={`document-${document.id}`}>
                      <td>
                        {document.id}
                        <div className="muted">
                          {document.media_type}, {formatBytes(document.bytes)}
                        </div>
                      </td>
                      <td>{document.title}</td>
                      <td>{document.chunks}</td>
                      <td>{document.tags.length ? document.tags.join(', ') : <span className="muted">–</span>}</td>
                      <td>{document.date}</td>
                      <td>{formatTime(document.added_at)}</td>
                      {manages && (
                        <td>
                          <button type="button" aria-label={`Delete ${document.id}`} onClick={() => void remove(document)}>
                            Delete
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </section>
  )
}

function Upload({ collection, onUploaded }: { collection: string; onUploaded: () => void }) {
  const [progress, setProgress] = useState<number | null>(null)
  const [outcome, setOutcome] = useState<UploadAnswer | null>(null)
  const [error, setError] = useState<string | null>(null)

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const files = data.getAll('file').filter((f): f is File => f instanceof File && f.name !== '')
    if (files.length === 0) {
      setError('Choose one or more files first.')
      return
    }
    setError(null)
    setOutcome(null)
    setProgress(0)
    try {
      const answer = await uploadDocuments(
        collection,
        files,
        { tags: String(data.get('tags') ?? ''), date: String(data.get('date') ?? '') },
        setProgress,
      )
      setOutcome(answer)
      form.reset()
      onUploaded()
    } catch (failure) {
      setError(messageOf(failure))
    } finally {
      setProgress(null)
    }
  }

  return (
    <>
      <h3>Add documents</h3>
      <form className="actions" onSubmit={(event) => void submit(event)} aria-label="Upload documents">
        <label className="field">
          Documents (text, Markdown, HTML or PDF)
          <input type="file" name="file" multiple accept=".txt,.text,.md,.markdown,.html,.htm,.pdf,text/plain,text/markdown,text/html,application/pdf" />
        </label>
        <label className="field">
          Tags
          <input name="tags" placeholder="hr, 2026" />
        </label>
        <label className="field">
          Date
          <input name="date" type="date" />
        </label>
        <button type="submit" disabled={progress !== null}>
          Upload
        </button>
        {progress !== null && (
          <progress className="upload-progress" max={1} value={progress} aria-label="Upload progress">
            {Math.round(progress * 100)}%
          </progress>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {outcome && (
          <p role="status" data-testid="upload-outcome">
            {outcome.documents.map((d) => `${d.id}: ${d.outcome} (${d.chunks} passages)`).join('; ')}
          </p>
        )}
      </form>
    </>
  )
}

type Found = { kind: 'answer'; answer: KnowledgeAnswer } | { kind: 'passages'; passages: Passage[] }

function Ask({ collection }: { collection: string }) {
  const [found, setFound] = useState<Found | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const question = String(data.get('question') ?? '').trim()
    const mode = String(data.get('mode') ?? 'answer')
    if (!question) return
    setError(null)
    setFound(null)
    setBusy(true)
    try {
      if (mode === 'answer') {
        // Not streamed, so the answer is the whole ProcessResponse (the document also lists
        // the stream's events as possible answers of this operation).
        const answer = (await dataOf(
          api.POST('/api/v1/process', { body: { task_type: 'knowledge_retrieval', prompt: question, collection } }),
        )) as ProcessResponse
        setFound({ kind: 'answer', answer: answer.result as unknown as KnowledgeAnswer })
      } else {
        const answer = await dataOf(
          api.POST('/api/v1/knowledge/collections/{name}/search', {
            params: { path: { name: collection } },
            body: { query: question, top_k: 5 },
          }),
        )
        setFound({ kind: 'passages', passages: answer.passages })
      }
    } catch (failure) {
      setError(messageOf(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div>
      <form className="actions" onSubmit={(event) => void submit(event)} aria-label={`Ask ${collection}`}>
        <label className="field">
          Question
          <input name="question" required size={50} />
        </label>
        <label className="field">
          Show
          <select name="mode" defaultValue="answer">
            <option value="answer">an answer with citations</option>
            <option value="passages">the passages only</option>
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Ask
        </button>
      </form>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {found?.kind === 'answer' && (
        <div className="outcome" data-testid="knowledge-answer">
          <p className="answer">{found.answer.answer}</p>
          {found.answer.citations.length > 0 && (
            <ol className="citations" aria-label="Citations">
              {found.answer.citations.map((citation) => {
                const passage = found.answer.passages.find((p) => p.number === citation.number)
                return (
                  <li key={citation.number}>
                    <details>
                      <summary>
                        [{citation.number}] {citation.document}: {placeOf(citation)}
                      </summary>
                      <blockquote>{passage?.text}</blockquote>
                    </details>
                  </li>
                )
              })}
            </ol>
          )}
        </div>
      )}
      {found?.kind === 'passages' &&
        (found.passages.length === 0 ? (
          <Empty>Nothing in {collection} matches.</Empty>
        ) : (
          <ol className="citations" aria-label="Passages" data-testid="knowledge-passages">
            {found.passages.map((passage) => (
              <li key={`${passage.document}-${passage.position}`}>
                <details>
                  <summary>
                    {passage.document}: {placeOf(passage)} <span className="muted">(score {passage.score.toFixed(2)})</span>
                  </summary>
                  <blockquote>{passage.text}</blockquote>
                </details>
              </li>
            ))}
          </ol>
        ))}
    </div>
  )
}
