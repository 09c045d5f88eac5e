import { useCallback, useEffect, useRef, useState } from 'react'

/** What a view shows while data loads, once it arrived, or when it failed. */
export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'ready'; data: T }
  | { state: 'error'; message: string }

/**
 * Load `fetcher` when `key` changes (and every `refreshMs`, if given), keeping the last data
 * on screen while a refresh runs. Returns the state and a function that reloads now.
 */
export function useApi<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  key: string,
  refreshMs?: number,
): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading' })
  const [tick, setTick] = useState(0)
  const fetcherRef = useRef(fetcher)
  fetcherRef.current = fetcher

  useEffect(() => {
    setValue({ state: 'loading' })
  }, [key])

  useEffect(() => {
    const controller = new AbortController()
    fetcherRef
      .current(controller.signal)
      .then((data) => setValue({ state: 'ready', data }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return
        setValue({ state: 'error', message: error instanceof Error ? error.message : String(error) })
      })
    return () => controller.abort()
  }, [key, tick])

  useEffect(() => {
    if (!refreshMs) return
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs)
    return () => clearInterval(timer)
  }, [refreshMs])

  const reload = useCallback(() => setTick((t) => t + 1), [])
  return [value, reload]
}
