import { useState, type ChangeEvent } from 'react'
import { api, ApiError, dataOf } from '../api/client'
import type { InstalledLicense, LicenseInfo } from '../api/types'
import { useApi } from '../api/useApi'
import { Show } from '../components/States'

/** The licence in force, and what it unlocks. */
function Current({ licence }: { licence: LicenseInfo }) {
  const payload = licence.licence
  return (
    <>
      <p data-testid="licence-message">{licence.message}</p>
      <dl className="facts">
        <dt>Tier in force</dt>
        <dd data-testid="licence-tier">{licence.tier}</dd>
        {payload && (
          <>
            <dt>Licensed to</dt>
            <dd>
              {payload.customer} ({payload.email}), licence {payload.id}
            </dd>
            <dt>Valid until</dt>
            <dd>{payload.valid_until}</dd>
          </>
        )}
        {licence.activated_at && (
          <>
            <dt>Activated here</dt>
            <dd>{licence.activated_at}</dd>
          </>
        )}
        {licence.evaluation_ends && (
          <>
            <dt>Evaluation ends</dt>
            <dd>{licence.evaluation_ends}</dd>
          </>
        )}
        <dt>Seats</dt>
        <dd>{licence.seats == null ? 'unlimited' : licence.seats}</dd>
      </dl>
      <table className="table">
        <caption>Features by tier</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">From the tier</th>
            <th scope="col">Here</th>
          </tr>
        </thead>
        <tbody>
          {(licence.features ?? []).map((feature) => (
            <tr key={feature.feature}>
              <td>{feature.title}</td>
              <td>{feature.tier}</td>
              <td>{feature.unlocked ? 'unlocked' : `locked: needs ${feature.tier}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

/**
 * The licence page (admins): the licence in force, and installing a new key by pasting or
 * uploading it, checked first (what it gives is shown) and applied only when confirmed.
 */
export function Licence() {
  const [licence, reload] = useApi((signal) => dataOf(api.GET('/api/v1/license', { signal })), 'licence')
  const [key, setKey] = useState('')
  const [checked, setChecked] = useState<InstalledLicense | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)

  const send = async (dryRun: boolean) => {
    setError(null)
    setDone(null)
    try {
      const answer = await dataOf(api.POST('/api/v1/license', { body: { key, dry_run: dryRun } }))
      if (dryRun) {
        setChecked(answer)
      } else {
        setChecked(null)
        setKey('')
        setDone(answer.message)
        reload()
      }
    } catch (failure) {
      setChecked(null)
      setError(failure instanceof ApiError ? failure.detail : String(failure))
    }
  }

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0]
    if (!file) return
    setKey((await file.text()).trim())
    setChecked(null)
  }

  return (
    <section aria-labelledby="licence-title">
      <h1 id="licence-title">Licence</h1>
      <Show value={licence} what="the licence" onRetry={reload}>
        {(data) => <Current licence={data} />}
      </Show>
      <h2>Install a licence key</h2>
      <label className="field">
        Licence key
        <textarea
          value={key}
          rows={4}
          onChange={(event) => {
            setKey(event.currentTarget.value)
            setChecked(null)
          }}
          placeholder="prax-license-v1...."
        />
      </label>
      <label className="field">
        Or upload the file
        <input type="file" accept=".txt,.key,text/plain" onChange={upload} />
      </label>
      <div className="actions">
        <button type="button" disabled={!key.trim()} onClick={() => send(true)}>
          Check
        </button>
        <button type="button" disabled={!checked} onClick={() => send(false)}>
          Install
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {checked && (
        <p className="notice" role="status" data-testid="licence-check">
          This key gives the {checked.tier} tier ({checked.state}): {checked.message}
        </p>
      )}
      {done && (
        <p className="notice" role="status">
          Installed: {done}
        </p>
      )}
    </section>
  )
}
