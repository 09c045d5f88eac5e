import { api, dataOf } from '../api/client'
import type { LicenseInfo } from '../api/types'
import { useApi } from '../api/useApi'

/** Licence states worth a line on every page, and how loud the line is. */
const SHOWN: Partial<Record<LicenseInfo['state'], 'info' | 'warn'>> = {
  evaluation: 'info',
  expiring: 'warn',
  expired: 'warn',
}

/**
 * The licence's state on every page while it needs attention: the evaluation and its end,
 * a licence about to expire, or one that has (and the Standard tier in force since).
 */
export function LicenceBanner() {
  const [licence] = useApi((signal) => dataOf(api.GET('/api/v1/license', { signal })), 'licence', 60_000)
  if (licence.state !== 'ready') return null
  const tone = SHOWN[licence.data.state]
  if (!tone) return null
  return (
    <p className={`notice licence-${tone}`} role="status" data-testid="licence-banner">
      {licence.data.message}
    </p>
  )
}
