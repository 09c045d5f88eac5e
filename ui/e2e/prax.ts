// Driving the real `prax` binary from the end-to-end tests: the server, a registry, publishing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..')
/** The binary under test. */
export const PRAX = process.env.PRAX_BIN ?? join(ROOT, 'target/debug/prax')
/** The admin key the server accepts from its environment. */
export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef'
/** The registry's publish token. */
export const PUBLISH_TOKEN = 'e2e-publish-token'
/** The skill the tests install from the registry. */
export const REGISTRY_SKILL = 'ui_greeter'

/** Run `prax args` to completion; throws with its output when it fails. */
export function prax(args: string[], env: Record<string, string> = {}): string {
  const run = spawnSync(PRAX, args, { env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`prax ${args.join(' ')} failed (${run.status}):\n${run.stdout}\n${run.stderr}`)
  return run.stdout
}

/** Start `prax args` and wait for its `listening on URL` line; returns the process and the URL. */
export function start(args: string[], env: Record<string, string>, log: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(PRAX, args, { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const timer = setTimeout(() => reject(new Error(`prax ${args[0]} did not start in 240 s:\n${output}`)), 240_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      try {
        writeFileSync(log, output)
      } catch {
        // The work folder is gone once the tests are over; the output is still in `output`.
      }
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolveStart({ child, url: match[1] })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => reject(new Error(`prax ${args[0]} exited (${code}):\n${output}`)))
  })
}

/**
 * Write a signed `ui_greeter` VERSION (the echo component under its own manifest) in `work`
 * and publish it to `registry`; `llm` widens its permissions, as an update might.
 */
export function publishGreeter(work: string, registry: string, version: string, llm = false): void {
  const dir = join(work, `greeter-${version}`)
  mkdirSync(dir, { recursive: true })
  const wasm = join(ROOT, 'skills-wasm/target/wasm32-wasip2/release/echo.wasm')
  copyFileSync(wasm, join(dir, 'skill.wasm'))
  const digest = createHash('sha256').update(readFileSync(wasm)).digest('hex')
  writeFileSync(
    join(dir, 'skill.yaml'),
    [
      `name: ${REGISTRY_SKILL}`,
      `version: ${version}`,
      'description: Greets back, installed from the registry by the UI tests.',
      'author: Praximous e2e',
      'license: Apache-2.0',
      'wit: praximous:skill@0.1.0',
      'component: skill.wasm',
      'operations:',
      '  greet:',
      '    description: Returns the prompt.',
      '    params: { type: object, properties: { prompt: { type: string } } }',
      `    example: { task_type: ${REGISTRY_SKILL}, prompt: Hello from the registry }`,
      `permissions: { llm: ${llm}, network: [], knowledge: none }`,
      'limits: { memory_mb: 16, timeout_ms: 1000 }',
      `sha256: ${digest}`,
      '',
    ].join('\n'),
  )
  prax(['skill', 'sign', dir, '--key', join(work, 'publisher/publisher.key')])
  prax(['skill', 'publish', dir, '--registry', registry, '--token', PUBLISH_TOKEN])
}
