// Starts a registry holding a signed skill and the real `prax` configured to trust it, for all
// the end-to-end tests; stops both afterwards.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SSO_CLIENT_ID, SSO_CLIENT_SECRET, startProvider } from './oidc'
import { ADMIN_KEY, PUBLISH_TOKEN, prax, publishGreeter, start } from './prax'
import { startStandin } from './standin'

/** A port free on 127.0.0.1 now: `prax` must know its own URL for the provider's redirects. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

export default async function globalSetup() {
  const work = mkdtempSync(join(tmpdir(), 'prax-ui-e2e-'))
  prax(['publisher', 'keygen', '--out', join(work, 'publisher')])
  const registry = await start(
    ['registry', 'serve', '--dir', join(work, 'registry'), '--bind', '127.0.0.1:0'],
    { PRAX_REGISTRY_TOKENS: PUBLISH_TOKEN },
    join(work, 'registry.log'),
  )
  publishGreeter(work, registry.url, '1.0.0')
  const publisher = readFileSync(join(work, 'publisher/publisher.pub'), 'utf8').trim()
  const standin = await startStandin()
  const praxUrl = `http://127.0.0.1:${await freePort()}`
  const provider = await startProvider(praxUrl)
  const config = join(work, 'praximous.toml')
  writeFileSync(
    config,
    [
      '[identity]',
      'system_name = "Praximous"',
      'business_name = "Acme Solutions Inc."',
      'sensitivity_level = "Medium"',
      '',
      '[audit]',
      'store_prompts = true',
      'store_responses = true',
      '',
      '[registry]',
      `url = "${registry.url}"`,
      `trusted_publishers = ["${publisher}"]`,
      '',
      '[routing.rules]',
      'ui_story = ["storyteller"]',
      '',
      '[[providers]]',
      'name = "storyteller"',
      'type = "openai"',
      'model = "story-1"',
      `base_url = "${standin.url}/v1"`,
      '',
      '[sso]',
      `issuer = "${provider.issuer}"`,
      `client_id = "${SSO_CLIENT_ID}"`,
      `public_url = "${praxUrl}"`,
      'display_name = "Acme SSO"',
      'scopes = ["profile", "email", "groups"]',
      '',
      '[sso.roles]',
      '"prax-admins" = "admin"',
      '"prax-ops" = "operator"',
      '',
    ].join('\n'),
  )
  const server = await start(
    ['serve', '--bind', praxUrl.replace('http://', ''), '--data-dir', join(work, 'data'), '--config', config],
    { PRAXIMOUS_API_KEYS: ADMIN_KEY, PRAX_LOG: 'info', PRAXIMOUS_SSO_CLIENT_SECRET: SSO_CLIENT_SECRET },
    join(work, 'prax.log'),
  )
  process.env.E2E_BASE_URL = server.url
  process.env.E2E_REGISTRY_URL = registry.url
  process.env.E2E_WORK = work
  process.env.E2E_STANDIN_URL = standin.url
  return async () => {
    server.child.kill()
    registry.child.kill()
    standin.server.close()
    provider.close()
    rmSync(work, { recursive: true, force: true })
  }
}
