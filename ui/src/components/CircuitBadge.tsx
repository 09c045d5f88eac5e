import type { CircuitState } from '../api/types'

const LABEL: Record<CircuitState, [string, string]> = {
  closed: ['healthy', 'badge-good'],
  half_open: ['recovering', 'badge-warn'],
  open: ['circuit open', 'badge-bad'],
}

/** A provider's circuit state, in words and colour. */
export function CircuitBadge({ state }: { state: CircuitState }) {
  const [label, style] = LABEL[state]
  return (
    <span className={`badge ${style}`} title={`circuit ${state.replace('_', '-')}`}>
      {label}
    </span>
  )
}
