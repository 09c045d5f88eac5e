// A real OpenID provider for the end-to-end tests: npm's `oidc-provider` (pinned in
// package.json) with its development login and consent pages, which Chromium fills in.
// Accounts are made up on sign-in: the login names one, its groups come from ACCOUNTS.
import { generateKeyPairSync } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

/** The client registered for `prax`. */
export const SSO_CLIENT_ID = 'praximous-ui-e2e'
/** Its secret (`PRAXIMOUS_SSO_CLIENT_SECRET` for `prax`). */
export const SSO_CLIENT_SECRET = 'ui-e2e-client-secret-3b7a'

/** Who may sign in, with the groups `[sso.roles]` maps. */
const ACCOUNTS: Record<string, { name: string; groups: string[] }> = {
  olga: { name: 'Olga Ops', groups: ['prax-ops'] },
  ada: { name: 'Ada Admin', groups: ['prax-admins'] },
}

/** Start the provider on 127.0.0.1 for the `prax` at `praxUrl`; its issuer and how to stop it. */
export async function startProvider(praxUrl: string): Promise<{ issuer: string; close: () => void }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'ui-e2e-1', use: 'sig', alg: 'RS256' }
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: SSO_CLIENT_ID,
        client_secret: SSO_CLIENT_SECRET,
        redirect_uris: [`${praxUrl}/api/v1/auth/sso/callback`],
        post_logout_redirect_uris: [`${praxUrl}/signin`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    claims: { openid: ['sub'], email: ['email'], profile: ['name'], groups: ['groups'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@acme.example`, name: ACCOUNTS[id]?.name ?? id, groups: ACCOUNTS[id]?.groups ?? [] }),
    }),
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
  })
  server.on('request', provider.callback())
  return { issuer, close: () => server.close() }
}
