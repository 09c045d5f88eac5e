import { lazy, Suspense, type ReactNode } from 'react'
import { Navigate, Route, Routes, useLocation } from 'react-router'
import type { Role } from './api/types'
import { hasRole, homeFor } from './auth/roles'
import { useSession } from './auth/session'
import { Layout } from './components/Layout'
import { Loading } from './components/States'
import { Console } from './pages/Console'
import { Dashboard } from './pages/Dashboard'
import { Keys } from './pages/Keys'
import { Knowledge } from './pages/Knowledge'
import { MyKeys } from './pages/MyKeys'
import { Users } from './pages/Users'
import { Licence } from './pages/Licence'
import { AdminAudit } from './pages/AdminAudit'
import { Providers } from './pages/Providers'
import { RecordDetail } from './pages/RecordDetail'
import { SignIn } from './pages/SignIn'
import { Skills } from './pages/Skills'

// The charts are the bulk of the bundle: load them with the Analytics page only.
const Analytics = lazy(() => import('./pages/Analytics').then((m) => ({ default: m.Analytics })))

/** Signed in with at least `role`, or off to sign-in (or the key's home page). */
function Guard({ role, children }: { role: Role; children: ReactNode }) {
  const { me } = useSession()
  if (!me) return null
  return hasRole(me.role, role) ? <>{children}</> : <Navigate to={homeFor(me.role)} replace />
}

/** The whole UI: sign-in, then the pages the key's role may use. */
export function App() {
  const { me, restoring } = useSession()
  const location = useLocation()
  if (restoring) return <Loading what="your session" />
  if (!me && location.pathname !== '/signin') return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />
  return (
    <Routes>
      <Route path="/signin" element={<SignIn />} />
      <Route element={<Layout />}>
        <Route index element={<Guard role="operator"><Dashboard /></Guard>} />
        <Route path="console" element={<Guard role="user"><Console /></Guard>} />
        <Route path="skills" element={<Guard role="user"><Skills /></Guard>} />
        <Route path="knowledge" element={<Guard role="user"><Knowledge /></Guard>} />
        <Route
          path="analytics"
          element={
            <Guard role="operator">
              <Suspense fallback={<Loading what="analytics" />}>
                <Analytics />
              </Suspense>
            </Guard>
          }
        />
        <Route path="analytics/:requestId" element={<Guard role="operator"><RecordDetail /></Guard>} />
        <Route path="providers" element={<Guard role="operator"><Providers /></Guard>} />
        <Route path="my-keys" element={<Guard role="user"><MyKeys /></Guard>} />
        <Route path="keys" element={<Guard role="admin"><Keys /></Guard>} />
        <Route path="users" element={<Guard role="admin"><Users /></Guard>} />
        <Route path="licence" element={<Guard role="admin"><Licence /></Guard>} />
        <Route path="admin-audit" element={<Guard role="admin"><AdminAudit /></Guard>} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  )
}
