// Turning an operation's JSON Schema into form fields, and the form's text back into a request.

import type { ProcessRequest } from '../api/types'

/** The parts of JSON Schema the form understands. */
export interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  enum?: unknown[]
  default?: unknown
  description?: string
  minimum?: number
  maximum?: number
  oneOf?: JsonSchema[]
  anyOf?: JsonSchema[]
  items?: JsonSchema
}

/** How one property is edited. */
export type FieldKind = 'text' | 'number' | 'integer' | 'boolean' | 'choice' | 'json'

/** One generated form field. */
export interface Field {
  name: string
  kind: FieldKind
  required: boolean
  description?: string
  choices?: string[]
  defaultValue?: unknown
  minimum?: number
  maximum?: number
}

function kindOf(schema: JsonSchema): FieldKind {
  if (schema.enum && schema.enum.length > 0) return 'choice'
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type
  if (type === 'boolean') return 'boolean'
  if (type === 'integer') return 'integer'
  if (type === 'number') return 'number'
  if (type === 'string') return 'text'
  const variants = schema.oneOf ?? schema.anyOf
  // "a string or a list of strings" is best typed as text; the skill splits it.
  if (variants?.some((v) => v.type === 'string')) return 'text'
  return 'json'
}

/** The fields of an operation's `params` schema, required ones first; `prompt` and `task_type` are the form's own. */
export function fieldsOf(schema: JsonSchema | undefined): Field[] {
  const properties = schema?.properties ?? {}
  const required = new Set(schema?.required ?? [])
  return Object.entries(properties)
    .filter(([name]) => name !== 'prompt' && name !== 'task_type')
    .map(([name, property]) => ({
      name,
      kind: kindOf(property),
      required: required.has(name),
      description: property.description,
      choices: property.enum?.map(String),
      defaultValue: property.default,
      minimum: property.minimum,
      maximum: property.maximum,
    }))
    .sort((a, b) => Number(b.required) - Number(a.required))
}

/** An extra field the caller adds by hand: its value is JSON if it parses, else text. */
export interface ExtraField {
  name: string
  value: string
}

/** The request body, or the problems that keep it from being sent. */
export type Built = { ok: true; body: ProcessRequest } | { ok: false; problems: string[] }

/** Parse `text` as JSON when it looks like JSON, else keep it as text. */
export function looseValue(text: string): unknown {
  const trimmed = text.trim()
  if (/^([[{"]|-?\d|true$|false$|null$)/.test(trimmed)) {
    try {
      return JSON.parse(trimmed)
    } catch {
      return text
    }
  }
  return text
}

/**
 * The body of `POST /api/v1/process` from the form: empty fields are left out (so the skill's
 * defaults apply), numbers and JSON are parsed, and every problem is reported at once.
 */
export function buildRequest(
  taskType: string,
  prompt: string,
  fields: Field[],
  values: Record<string, string | boolean>,
  extras: ExtraField[],
): Built {
  const problems: string[] = []
  const body: ProcessRequest = { task_type: taskType, prompt }
  if (!taskType) problems.push('Choose a skill or LLM route.')
  for (const field of fields) {
    const raw = values[field.name]
    if (field.kind === 'boolean') {
      if (raw !== undefined && raw !== '') body[field.name] = raw === true || raw === 'true'
      continue
    }
    const text = typeof raw === 'string' ? raw.trim() : ''
    if (text === '') {
      if (field.required) problems.push(`${field.name} is required.`)
      continue
    }
    if (field.kind === 'number' || field.kind === 'integer') {
      const number = Number(text)
      if (!Number.isFinite(number) || (field.kind === 'integer' && !Number.isInteger(number))) {
        problems.push(`${field.name} must be ${field.kind === 'integer' ? 'a whole number' : 'a number'}.`)
        continue
      }
      if (field.minimum !== undefined && number < field.minimum) problems.push(`${field.name} must be at least ${field.minimum}.`)
      if (field.maximum !== undefined && number > field.maximum) problems.push(`${field.name} must be at most ${field.maximum}.`)
      body[field.name] = number
    } else if (field.kind === 'json') {
      try {
        body[field.name] = JSON.parse(text)
      } catch {
        problems.push(`${field.name} must be JSON, e.g. ["a", "b"] or {"key": 1}.`)
      }
    } else {
      body[field.name] = typeof raw === 'string' ? raw : text
    }
  }
  for (const extra of extras) {
    const name = extra.name.trim()
    if (!name) continue
    if (name in body) {
      problems.push(`The extra field ${name} repeats a field of the form.`)
      continue
    }
    body[name] = looseValue(extra.value)
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, body }
}
