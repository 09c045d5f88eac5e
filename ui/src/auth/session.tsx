import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { api, dataOf, setApiKey, setAuthFailureListener, setCsrfToken } from '../api/client'
import type { Me } from '../api/types'

/** Where the key lives: this browser tab's session only, never local storage or a cookie. */
const STORAGE_KEY = 'praximous.apiKey'

/** The signed-in key's (or single sign-on user's) identity, and how to sign in and out. */
export interface Session {
  me: Me | null
  /** Why the last session ended or sign-in failed, for the sign-in page. */
  notice: string | null
  /** True while a stored key is being checked at start-up. */
  restoring: boolean
  signIn: (key: string) => Promise<void>
  /**
   * Take up a single sign-on session this browser already has (its cookie is HttpOnly, so
   * only the server can tell): true when there is one.
   */
  resume: () => Promise<boolean>
  /** Sign out: `notice` says why when the server ended the session; without it, the user chose to. */
  signOut: (notice?: string) => void
}

const SessionContext = createContext<Session | null>(null)

/** Provides the session; checks a key kept from earlier in this tab. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(STORAGE_KEY) !== null)
  // A refused key ends a session; while signing in, the sign-in form reports it instead.
  const signedIn = useRef(false)
  const viaSession = useRef(false)

  const forget = useCallback((why: string | null) => {
    sessionStorage.removeItem(STORAGE_KEY)
    signedIn.current = false
    viaSession.current = false
    setApiKey(null)
    setCsrfToken(null)
    setMe(null)
    setNotice(why)
  }, [])

  const signOut = useCallback(
    (why?: string) => {
      if (viaSession.current && why === undefined) {
        // End the session at the server, then at the provider when it offers that.
        void dataOf(api.POST('/api/v1/auth/sign-out'))
          .then((out) => {
            forget(null)
            if (out.end_session_url) window.location.assign(out.end_session_url)
          })
          .catch((error: unknown) => forget(`Signed out here; the server said: ${error instanceof Error ? error.message : String(error)}`))
        return
      }
      forget(why ?? null)
    },
    [forget],
  )

  const signIn = useCallback(async (key: string) => {
    setApiKey(key)
    try {
      const who = await dataOf(api.GET('/api/v1/auth/me'))
      sessionStorage.setItem(STORAGE_KEY, key)
      signedIn.current = true
      setNotice(null)
      setMe(who)
    } catch (error) {
      setApiKey(null)
      throw error
    }
  }, [])

  const resume = useCallback(async () => {
    setApiKey(null)
    try {
      const who = await dataOf(api.GET('/api/v1/auth/me'))
      if (who.signed_in_with !== 'session') return false
      setCsrfToken(who.csrf_token)
      signedIn.current = true
      viaSession.current = true
      setNotice(null)
      setMe(who)
      return true
    } catch {
      return false
    }
  }, [])

  useEffect(() => {
    setAuthFailureListener((detail) => {
      if (signedIn.current) signOut(`Signed out: ${detail}`)
    })
    const stored = sessionStorage.getItem(STORAGE_KEY)
    if (stored) {
      signIn(stored)
        .catch((error: unknown) => signOut(`Signed out: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => setRestoring(false))
    }
  }, [signIn, signOut])

  const value = useMemo(() => ({ me, notice, restoring, signIn, resume, signOut }), [me, notice, restoring, signIn, resume, signOut])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

/** The current session (inside `SessionProvider`). */
export function useSession(): Session {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession outside SessionProvider')
  return session
}
