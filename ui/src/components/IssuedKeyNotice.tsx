import type { IssuedKey } from '../api/types'
import { CopyButton } from './CopyButton'

/** A key just made, with its secret: shown this once, with a copy button, until dismissed. */
export function IssuedKeyNotice({ issued, onDone }: { issued: IssuedKey; onDone: () => void }) {
  return (
    <div className="secret" role="status" data-testid="new-key">
      <p>
        The key <strong>{issued.name}</strong> ({issued.role}). Copy it now: it is shown only this once.
      </p>
      <code data-testid="new-key-secret">{issued.key}</code> <CopyButton text={issued.key} />
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  )
}
