// Uploading documents to a knowledge collection, with progress: fetch cannot report how much
// of a request body was sent, XMLHttpRequest can. The answer is read as the typed client would.

import { ApiError, authHeaders, codeOf, detailOf, reportAuthFailure } from './client'
import type { UploadAnswer } from './types'

/** What goes with the files: tags (comma-separated) and a date (`YYYY-MM-DD`), both optional. */
export interface UploadFields {
  tags?: string
  date?: string
}

/**
 * POST `files` to `collection` as one multipart upload; `onProgress` hears the fraction sent
 * (0 to 1). Rejects with ApiError for any answer that is not 2xx, and with an Error when the
 * connection fails.
 */
export function uploadDocuments(
  collection: string,
  files: File[],
  fields: UploadFields,
  onProgress: (fraction: number) => void,
): Promise<UploadAnswer> {
  const form = new FormData()
  for (const file of files) form.append('file', file, file.name)
  if (fields.tags?.trim()) form.append('tags', fields.tags.trim())
  if (fields.date?.trim()) form.append('date', fields.date.trim())
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('POST', `/api/v1/knowledge/collections/${encodeURIComponent(collection)}/documents`)
    for (const [name, value] of Object.entries(authHeaders('POST'))) request.setRequestHeader(name, value)
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
    }
    request.onload = () => {
      let body: unknown = null
      try {
        body = JSON.parse(request.responseText)
      } catch {
        body = null
      }
      if (request.status >= 200 && request.status < 300) {
        onProgress(1)
        resolve(body as UploadAnswer)
        return
      }
      const error = new ApiError(
        request.status,
        detailOf(body, request.statusText || `HTTP ${request.status}`),
        request.getResponseHeader('X-Request-Id'),
        codeOf(body),
      )
      reportAuthFailure(error)
      reject(error)
    }
    request.onerror = () => reject(new Error('the upload could not reach the server'))
    request.send(form)
  })
}
