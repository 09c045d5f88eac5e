import type { ReactNode } from 'react'
import type { Loadable } from '../api/useApi'

/** A spinner-less, screen-reader friendly loading line. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  )
}

/** What a view shows when there is nothing yet, and what would fill it. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>
}

/** A failed load, with a retry. */
export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>{message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  )
}

/** Render `children(data)` once `value` is ready; loading and error states otherwise. */
export function Show<T>({
  value,
  what,
  onRetry,
  children,
}: {
  value: Loadable<T>
  what: string
  onRetry?: () => void
  children: (data: T) => ReactNode
}) {
  if (value.state === 'loading') return <Loading what={what} />
  if (value.state === 'error') return <ErrorState message={`Could not load ${what}: ${value.message}`} onRetry={onRetry} />
  return <>{children(value.data)}</>
}
