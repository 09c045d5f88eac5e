import { NavLink, Outlet } from 'react-router'
import { hasRole, PAGES } from '../auth/roles'
import { useSession } from '../auth/session'
import { LicenceBanner } from './LicenceBanner'

/** The frame of every signed-in page: navigation for what the key's role may use. */
export function Layout() {
  const { me, signOut } = useSession()
  if (!me) return null
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Praximous</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.filter((page) => hasRole(me.role, page.role) && (!page.sessionOnly || me.signed_in_with === 'session')).map((page) => (
              <li key={page.path}>
                <NavLink to={page.path} end={page.path === '/'}>
                  {page.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span title={me.signed_in_with === 'session' ? 'signed in with single sign-on' : `key id ${me.key_id}`}>
            {me.key_name} <span className="badge">{me.role}</span>
          </span>
          <button type="button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <LicenceBanner />
        <Outlet />
      </main>
    </div>
  )
}
