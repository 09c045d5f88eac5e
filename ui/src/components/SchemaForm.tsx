import type { ExtraField, Field } from './schemaForm'

/** The generated fields of an operation, plus free extra fields. */
export function SchemaForm({
  fields,
  values,
  onValue,
  extras,
  onExtras,
}: {
  fields: Field[]
  values: Record<string, string | boolean>
  onValue: (name: string, value: string | boolean) => void
  extras: ExtraField[]
  onExtras: (extras: ExtraField[]) => void
}) {
  return (
    <>
      {fields.map((field) => {
        const id = `field-${field.name}`
        const hint = [field.description, field.defaultValue !== undefined ? `default ${JSON.stringify(field.defaultValue)}` : null]
          .filter(Boolean)
          .join(' · ')
        const value = values[field.name]
        return (
          <div className="field" key={field.name}>
            {field.kind === 'boolean' ? (
              <label htmlFor={id} className="checkbox">
                <input id={id} type="checkbox" checked={value === true} onChange={(e) => onValue(field.name, e.target.checked)} />
                {field.name}
              </label>
            ) : (
              <label htmlFor={id}>
                {field.name}
                {field.required && <span aria-hidden="true"> *</span>}
              </label>
            )}
            {field.kind === 'choice' && (
              <select id={id} value={typeof value === 'string' ? value : ''} onChange={(e) => onValue(field.name, e.target.value)} required={field.required}>
                <option value="">{field.required ? 'Choose…' : '(default)'}</option>
                {field.choices?.map((choice) => (
                  <option key={choice} value={choice}>
                    {choice}
                  </option>
                ))}
              </select>
            )}
            {(field.kind === 'text' || field.kind === 'number' || field.kind === 'integer' || field.kind === 'json') && (
              <input
                id={id}
                type="text"
                inputMode={field.kind === 'text' || field.kind === 'json' ? undefined : 'decimal'}
                value={typeof value === 'string' ? value : ''}
                placeholder={field.kind === 'json' ? 'JSON' : undefined}
                onChange={(e) => onValue(field.name, e.target.value)}
                required={field.required}
                aria-describedby={hint ? `${id}-hint` : undefined}
              />
            )}
            {hint && (
              <small id={`${id}-hint`} className="muted">
                {hint}
              </small>
            )}
          </div>
        )
      })}
      <fieldset className="extras">
        <legend>Extra fields</legend>
        {extras.map((extra, index) => (
          <div className="extra-row" key={index}>
            <input
              aria-label={`Extra field ${index + 1} name`}
              placeholder="name"
              value={extra.name}
              onChange={(e) => onExtras(extras.map((x, i) => (i === index ? { ...x, name: e.target.value } : x)))}
            />
            <input
              aria-label={`Extra field ${index + 1} value`}
              placeholder="value (text or JSON)"
              value={extra.value}
              onChange={(e) => onExtras(extras.map((x, i) => (i === index ? { ...x, value: e.target.value } : x)))}
            />
            <button type="button" onClick={() => onExtras(extras.filter((_, i) => i !== index))} aria-label={`Remove extra field ${index + 1}`}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => onExtras([...extras, { name: '', value: '' }])}>
          Add a field
        </button>
      </fieldset>
    </>
  )
}
