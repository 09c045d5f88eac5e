import { expect, test, type Page } from '@playwright/test'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ADMIN_KEY, publishGreeter, REGISTRY_SKILL } from './prax'

// One server for the whole file; the steps build on each other (a key made in one is used in
// the next), so they run in order.
test.describe.configure({ mode: 'serial' })

const SCREENSHOTS = join(import.meta.dirname, '../reports/screenshots')
mkdirSync(SCREENSHOTS, { recursive: true })

function url(path: string): string {
  const base = process.env.E2E_BASE_URL
  if (!base) throw new Error('E2E_BASE_URL is not set: the global setup did not run')
  return base + path
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

async function signIn(page: Page, key: string, path = '/') {
  await page.goto(url(path))
  await expect(page).toHaveURL(/\/signin$/)
  await page.getByLabel('API key').fill(key)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

let requestId = ''
let userKey = ''

test('sign in as admin and see the dashboard', async ({ page }) => {
  await signIn(page, 'not-a-key')
  await expect(page.getByRole('alert')).toContainText('Access denied: Invalid API key.')
  await page.getByLabel('API key').fill(ADMIN_KEY)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Praximous-AcmeSolutions' })).toBeVisible()
  const health = (await (await fetch(url('/healthz'))).json()) as { skills: number }
  await expect(page.getByTestId('skills-loaded')).toHaveText(String(health.skills))
  // A fresh installation evaluates every feature, and every page says until when.
  await expect(page.getByTestId('licence-banner')).toContainText('evaluation: every feature until')
  await shot(page, 'dashboard')
})

test('run a skill from the console', async ({ page }) => {
  await signIn(page, ADMIN_KEY, '/console')
  await page.getByLabel('Skill operation or LLM route').selectOption('skill:simple_math:calculate')
  await page.getByRole('button', { name: 'Fill in the example' }).click()
  await page.getByLabel('num2').fill('4')
  await page.getByRole('button', { name: 'Run' }).click()
  const outcome = page.getByTestId('outcome')
  await expect(outcome.getByRole('heading', { name: 'Result' })).toBeVisible()
  await expect(page.getByTestId('result')).toContainText('"result":')
  requestId = (await page.getByTestId('request-id').textContent()) ?? ''
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
  await shot(page, 'console')
})

test('stream an answer in the console as it arrives, and stop one', async ({ page }) => {
  await signIn(page, ADMIN_KEY, '/console')
  await page.getByLabel('Skill operation or LLM route').selectOption('route:ui_story')
  await page.getByLabel('Prompt').fill('Tell a short story')
  await page.getByRole('button', { name: 'Run' }).click()
  // The words arrive one by one (every 60 ms): the text grows before the result is there.
  const live = page.getByTestId('live-text')
  await expect(live).toContainText('wörd2')
  await expect(page.getByTestId('outcome')).toHaveCount(0)
  await shot(page, 'console-streaming')
  const outcome = page.getByTestId('outcome')
  await expect(outcome.getByRole('heading', { name: 'Result' })).toBeVisible()
  await expect(page.getByTestId('answer')).toHaveText(Array.from({ length: 12 }, (_, i) => `wörd${i} `).join(''))
  await expect(page.getByTestId('result')).toContainText('"provider": "storyteller"')

  const standin = process.env.E2E_STANDIN_URL
  const disconnects = async () => ((await (await fetch(`${standin}/stats`)).json()) as { disconnects: number }).disconnects
  const before = await disconnects()
  await page.getByLabel('Prompt').fill('Tell a long story')
  await page.getByRole('button', { name: 'Run' }).click()
  await expect(live).toContainText('wörd3')
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(outcome.getByRole('heading', { name: 'Stopped' })).toBeVisible()
  await expect(page.getByTestId('partial')).toContainText('wörd3')
  // The server stopped the task: the provider saw its stream closed.
  await expect.poll(disconnects, { timeout: 10_000 }).toBe(before + 1)
  await shot(page, 'console-stopped')
})

test('find the request in analytics, open it, filter and export', async ({ page }) => {
  await signIn(page, ADMIN_KEY, '/analytics?task_type=simple_math')
  await expect(page.getByRole('heading', { name: 'Analytics' })).toBeVisible()
  const row = page.getByTestId('records').getByRole('link').first()
  await expect(row).toBeVisible()
  await expect(page.getByTestId('summary')).toContainText('requests')
  await expect(page.locator('.recharts-surface').first()).toBeVisible()
  await shot(page, 'analytics')

  // The export carries the filters: CSV of simple_math records holds the request.
  const csvDownload = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export CSV' }).click()
  const csv = readFileSync((await (await csvDownload).path()) ?? '', 'utf8')
  expect(csv.split('\n')[0]).toContain('request_id')
  expect(csv).toContain(requestId)
  const jsonlDownload = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export JSON Lines' }).click()
  const lines = readFileSync((await (await jsonlDownload).path()) ?? '', 'utf8').trim().split('\n')
  expect(lines.map((line) => JSON.parse(line).task_type)).toEqual(lines.map(() => 'simple_math'))

  // A filter that excludes it.
  await page.getByLabel('Status').selectOption('error')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page).toHaveURL(/status=error/)
  await expect(page.getByText('No record matches these filters.')).toBeVisible()

  // The detail view, reached by address (a reload of a client route works).
  await page.goto(url(`/analytics/${requestId}`))
  await expect(page.getByRole('heading', { name: `Request ${requestId}` })).toBeVisible()
  await expect(page.getByTestId('record')).toContainText('simple_math')
  await expect(page.getByTestId('prompt')).toContainText('Calculate')
  await expect(page.getByTestId('response')).toContainText('result')
  await shot(page, 'analytics-detail')
})

test('create a user key, see its role-limited view, then revoke it', async ({ page }) => {
  await signIn(page, ADMIN_KEY, '/keys')
  await page.getByLabel('Name').fill('ui-e2e-user')
  await page.getByLabel('Role').selectOption('user')
  await page.getByRole('button', { name: 'Create key' }).click()
  userKey = ((await page.getByTestId('new-key-secret').textContent()) ?? '').trim()
  expect(userKey.length).toBeGreaterThan(20)
  await expect(page.getByTestId('key-ui-e2e-user')).toContainText('active')
  await shot(page, 'keys')
  await page.getByRole('button', { name: 'Done' }).click()
  await expect(page.getByText(userKey)).toHaveCount(0)

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByLabel('API key').fill(userKey)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Task console' })).toBeVisible()
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByRole('link')).toHaveText(['Task console', 'Skills', 'Knowledge'])
  await page.goto(url('/keys'))
  await expect(page.getByRole('heading', { name: 'Task console' })).toBeVisible()
  await shot(page, 'role-user')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByLabel('API key').fill(ADMIN_KEY)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Signed in (the key checked and kept) before leaving the page, or the reload races it:
  // only an admin's navigation has API keys.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' })).toBeVisible()
  await page.goto(url('/keys'))
  page.once('dialog', (dialog) => dialog.accept())
  await page.getByRole('button', { name: 'Revoke ui-e2e-user' }).click()
  await expect(page.getByTestId('key-ui-e2e-user')).toContainText('revoked')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByLabel('API key').fill(userKey)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toContainText('Access denied: Invalid API key.')
})

test('install a skill from the registry, then update it after seeing what it asks for', async ({ page }) => {
  await signIn(page, ADMIN_KEY, '/skills')
  const entry = page.getByTestId(`registry-${REGISTRY_SKILL}`)
  await expect(entry).toBeVisible()
  await entry.getByRole('button', { name: `Install ${REGISTRY_SKILL}` }).click()
  await expect(page.getByRole('status').filter({ hasText: `Installed ${REGISTRY_SKILL} 1.0.0` })).toBeVisible()
  await expect(page.getByTestId(`skill-${REGISTRY_SKILL}`)).toContainText('signed by')

  publishGreeter(process.env.E2E_WORK ?? '', process.env.E2E_REGISTRY_URL ?? '', '1.1.0', true)
  await page.reload()
  await page.getByTestId(`registry-${REGISTRY_SKILL}`).getByRole('button', { name: `Update ${REGISTRY_SKILL}` }).click()
  const consent = page.getByRole('dialog')
  await expect(consent).toContainText(`Update ${REGISTRY_SKILL} to 1.1.0?`)
  await expect(consent).toContainText('llm: may now call the LLM router')
  await shot(page, 'skills-update-consent')
  await consent.getByRole('button', { name: 'Accept and update' }).click()
  await expect(page.getByRole('status').filter({ hasText: `Updated ${REGISTRY_SKILL} from 1.0.0 to 1.1.0` })).toBeVisible()
  await expect(page.getByTestId(`skill-${REGISTRY_SKILL}`)).toContainText('1.1.0')
  await shot(page, 'skills')
})

test('providers and routing, and a tablet-sized screen', async ({ page }) => {
  await page.setViewportSize({ width: 768, height: 1024 })
  await signIn(page, ADMIN_KEY, '/providers')
  await expect(page.getByRole('heading', { name: 'Providers & routing' })).toBeVisible()
  await expect(page.getByRole('cell', { name: 'storyteller', exact: true }).first()).toBeVisible()
  await expect(page.getByTestId('routes')).toContainText('default_llm_tasks')
  await expect(page.getByTestId('routes')).toContainText('ui_story')
  await shot(page, 'providers-tablet')
})

test('the licence page shows the evaluation and checks a pasted key before installing it', async ({ page }) => {
  await signIn(page, ADMIN_KEY, '/licence')
  await expect(page.getByRole('heading', { name: 'Licence', exact: true })).toBeVisible()
  await expect(page.getByTestId('licence-tier')).toHaveText('enterprise')
  await expect(page.getByTestId('licence-message')).toContainText('evaluation: every feature until')
  await page.getByLabel('Licence key').fill('prax-license-v1.not.valid')
  await page.getByRole('button', { name: 'Check' }).click()
  await expect(page.getByRole('alert')).toContainText('the licence key is malformed')
  await expect(page.getByRole('button', { name: 'Install' })).toBeDisabled()
  await shot(page, 'licence')
})

test('the admin audit page lists the keys made and revoked above, chained intact', async ({ page }) => {
  await signIn(page, ADMIN_KEY, '/admin-audit')
  await expect(page.getByRole('heading', { name: 'Admin audit log' })).toBeVisible()
  await expect(page.getByTestId('chain-state')).toContainText('Chain intact')
  const table = page.getByTestId('admin-audit')
  await expect(table).toContainText('key.created')
  await expect(table).toContainText('key.revoked')
  await expect(table).toContainText('skill.installed')
  await page.getByLabel('Changes to').selectOption('skill.')
  await expect(table).not.toContainText('key.created')
  await shot(page, 'admin-audit')
})

/** Sign in on the provider's own (development) pages: login, then consent. */
async function signInWithSso(page: Page, login: string, path = '/') {
  await page.goto(url(path))
  await expect(page).toHaveURL(/\/signin$/)
  await page.getByTestId('sso-sign-in').click()
  await page.locator('input[name=login]').fill(login)
  await page.locator('input[name=password]').fill('any password')
  await page.getByRole('button', { name: 'Sign-in' }).click()
  await page.getByRole('button', { name: 'Continue' }).click()
}

test('single sign-on through the provider: groups give the role; an admin disabling the user ends it at once', async ({ page, browser }) => {
  await signInWithSso(page, 'olga', '/analytics')
  // Back in the UI on the page asked for, as the operator the group maps to.
  await expect(page.getByRole('heading', { name: 'Analytics' })).toBeVisible()
  await expect(page.getByText('olga@acme.example')).toBeVisible()
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByRole('link', { name: 'My keys' })).toBeVisible()
  await expect(nav.getByRole('link', { name: 'API keys' })).toHaveCount(0)
  await nav.getByRole('link', { name: 'My keys' }).click()
  await page.getByLabel('Name').fill('olga-notebook')
  await page.getByRole('button', { name: 'Create key' }).click()
  await expect(page.getByTestId('new-key')).toContainText('(operator)')
  await shot(page, 'my-keys')

  const admin = await browser.newPage()
  await signIn(admin, ADMIN_KEY, '/users')
  const row = admin.getByTestId('user-olga@acme.example')
  await expect(row).toContainText('prax-ops')
  await expect(row).toContainText('from their groups')
  await shot(admin, 'users')
  admin.once('dialog', (dialog) => dialog.accept())
  await row.getByRole('button', { name: 'Disable olga@acme.example' }).click()
  await expect(row).toContainText('disabled')
  await admin.close()

  // Olga's very next request is refused and she is back at sign-in, told why.
  await page.getByRole('link', { name: 'Skills' }).click()
  await expect(page.getByRole('alert').first()).toContainText('your account is disabled')
  await expect(page.getByLabel('API key')).toBeVisible()
})

test('signing out of a single sign-on session ends it here and at the provider', async ({ page }) => {
  await signInWithSso(page, 'ada')
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible()
  await page.getByRole('button', { name: 'Sign out' }).click()
  // The provider asks to confirm its own sign-out, then sends the browser back to sign-in.
  await page.getByRole('button', { name: 'Yes, sign me out' }).click()
  await expect(page).toHaveURL(/\/signin$/)
  await expect(page.getByTestId('sso-sign-in')).toBeVisible()
  // The session is gone: opening a page needs a sign-in again.
  await page.goto(url('/'))
  await expect(page).toHaveURL(/\/signin$/)
  await expect(page.getByLabel('API key')).toBeVisible()
})

test('knowledge: make a collection, upload a document, ask it and open the citation', async ({ page }) => {
  await signIn(page, ADMIN_KEY, '/knowledge')
  await expect(page.getByRole('heading', { name: 'Knowledge', exact: true })).toBeVisible()
  await page.getByLabel('Name').fill('handbook')
  await page.getByLabel('What it holds').fill('The staff handbook')
  await page.getByRole('button', { name: 'Make collection' }).click()
  await expect(page.getByTestId('collection-handbook')).toContainText('The staff handbook')

  await page.getByLabel('Documents (text, Markdown, HTML or PDF)').setInputFiles({
    name: 'leave.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from('# Staff handbook\n\n## Annual leave\n\nEvery employee gets twenty-five days of annual leave.\n'),
  })
  await page.getByLabel('Tags').fill('hr')
  await page.getByRole('button', { name: 'Upload' }).click()
  await expect(page.getByTestId('upload-outcome')).toHaveText('leave.md: added (1 passages)')
  await expect(page.getByTestId('document-leave.md')).toContainText('Staff handbook')
  await expect(page.getByTestId('collection-handbook')).toContainText('1')

  // An answer through the knowledge_retrieval skill and the stand-in LLM, citing the passage.
  await page.getByLabel('Question').fill('How many days of annual leave?')
  await page.getByRole('button', { name: 'Ask' }).click()
  const answer = page.getByTestId('knowledge-answer')
  await expect(answer).toContainText('The handbook says so [1].')
  await answer.getByText('[1] leave.md: Staff handbook › Annual leave').click()
  await expect(answer.getByText('Every employee gets twenty-five days of annual leave.')).toBeVisible()
  await shot(page, 'knowledge')

  // The passages alone, with their scores.
  await page.getByLabel('Show').selectOption('passages')
  await page.getByRole('button', { name: 'Ask' }).click()
  await expect(page.getByTestId('knowledge-passages')).toContainText('leave.md: Staff handbook › Annual leave')
})
