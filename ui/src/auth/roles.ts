import type { Role } from '../api/types'

const RANK: Record<Role, number> = { user: 0, operator: 1, admin: 2 }

/** Whether `role` includes everything `needed` may do (admin > operator > user). */
export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed]
}

/**
 * The pages of the UI, in navigation order, with the role each needs (as the API enforces);
 * `sessionOnly` pages are for people signed in with single sign-on.
 */
export const PAGES: { path: string; label: string; role: Role; sessionOnly?: boolean }[] = [
  { path: '/', label: 'Dashboard', role: 'operator' },
  { path: '/console', label: 'Task console', role: 'user' },
  { path: '/skills', label: 'Skills', role: 'user' },
  { path: '/knowledge', label: 'Knowledge', role: 'user' },
  { path: '/analytics', label: 'Analytics', role: 'operator' },
  { path: '/providers', label: 'Providers & routing', role: 'operator' },
  { path: '/my-keys', label: 'My keys', role: 'user', sessionOnly: true },
  { path: '/keys', label: 'API keys', role: 'admin' },
  { path: '/users', label: 'Users', role: 'admin' },
  { path: '/licence', label: 'Licence', role: 'admin' },
  { path: '/admin-audit', label: 'Admin audit', role: 'admin' },
]

/** The first page `role` may open: where sign-in lands. */
export function homeFor(role: Role): string {
  return PAGES.find((page) => hasRole(role, page.role))?.path ?? '/console'
}
