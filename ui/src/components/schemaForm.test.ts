import { describe, expect, it } from 'vitest'
import { buildRequest, fieldsOf, looseValue, type JsonSchema } from './schemaForm'

const mathSchema: JsonSchema = {
  type: 'object',
  properties: {
    operation: { type: 'string', enum: ['add', 'divide'], default: 'add' },
    num1: { type: 'number' },
    num2: { type: 'number' },
    top: { type: 'integer', minimum: 1, maximum: 50 },
    shout: { type: 'boolean' },
    to: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    columns: { type: 'array', items: { type: 'string' } },
    prompt: { type: 'string' },
  },
  required: ['num1', 'num2'],
}

describe('fieldsOf', () => {
  it('makes a field per property, required first, with the kind its schema asks for', () => {
    const fields = fieldsOf(mathSchema)
    expect(fields.map((f) => f.name)).toEqual(['num1', 'num2', 'operation', 'top', 'shout', 'to', 'columns'])
    const kind = (name: string) => fields.find((f) => f.name === name)?.kind
    expect(kind('operation')).toBe('choice')
    expect(fields.find((f) => f.name === 'operation')?.choices).toEqual(['add', 'divide'])
    expect(kind('num1')).toBe('number')
    expect(kind('top')).toBe('integer')
    expect(kind('shout')).toBe('boolean')
    expect(kind('to')).toBe('text')
    expect(kind('columns')).toBe('json')
  })

  it('has no fields without a schema', () => {
    expect(fieldsOf(undefined)).toEqual([])
  })
})

describe('buildRequest', () => {
  const fields = fieldsOf(mathSchema)

  it('parses numbers and JSON, leaves empty fields to the defaults, and adds extras', () => {
    const built = buildRequest('simple_math', 'Calculate', fields, { num1: '10', num2: ' 2.5 ', operation: '', columns: '["a","b"]', shout: true }, [
      { name: 'precision', value: '3' },
      { name: 'note', value: 'plain text' },
      { name: ' ', value: 'ignored' },
    ])
    expect(built).toEqual({
      ok: true,
      body: { task_type: 'simple_math', prompt: 'Calculate', num1: 10, num2: 2.5, shout: true, columns: ['a', 'b'], precision: 3, note: 'plain text' },
    })
  })

  it('reports every problem at once and sends nothing', () => {
    const built = buildRequest('simple_math', '', fields, { num2: 'ten', top: '0', columns: '[oops' }, [{ name: 'num1', value: '1' }])
    expect(built.ok).toBe(false)
    if (!built.ok) {
      expect(built.problems).toEqual([
        'num1 is required.',
        'num2 must be a number.',
        'top must be at least 1.',
        'columns must be JSON, e.g. ["a", "b"] or {"key": 1}.',
      ])
    }
  })

  it('refuses an extra field that repeats a form field, and a missing target', () => {
    const built = buildRequest('', 'x', [], {}, [{ name: 'task_type', value: 'echo' }])
    expect(built).toEqual({ ok: false, problems: ['Choose a skill or LLM route.', 'The extra field task_type repeats a field of the form.'] })
  })
})

describe('looseValue', () => {
  it('reads JSON when it parses and keeps text otherwise', () => {
    expect(looseValue('{"a": 1}')).toEqual({ a: 1 })
    expect(looseValue('true')).toBe(true)
    expect(looseValue('12')).toBe(12)
    expect(looseValue('12 apples')).toBe('12 apples')
    expect(looseValue('hello')).toBe('hello')
  })
})
