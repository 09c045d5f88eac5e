// Writes the API's TypeScript types from openapi.json (the document `prax openapi` prints):
//   node scripts/api-types.mjs OUT     (tools/ui.sh types writes src/api/schema.d.ts; types-check
//                                       writes a temporary file and compares)
//
// Why the Node API and not the openapi-typescript CLI: openapi-typescript 7.13 builds its output
// with the classic TypeScript compiler API (ts.factory, ts.createPrinter). TypeScript 7, the
// project's compiler, is the native port and ships no such API (`require('typescript')` only has
// `version`), so the CLI dies with "Cannot read properties of undefined (reading
// 'createKeywordTypeNode')". package.json therefore also installs TypeScript 5.9 under the name
// `typescript5` (openapi-typescript's supported peer), and the resolve hook below sends
// openapi-typescript's own `import ts from 'typescript'` there. Everything else, `tsc -b`
// included, still uses TypeScript 7. (The package.json override `openapi-typescript >
// typescript: $typescript` only quiets npm's peer check, which asks for ^5.)
import { readFile, writeFile } from 'node:fs/promises'
import { register } from 'node:module'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const hook = `
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/openapi-typescript/')) {
    return nextResolve('typescript5', context)
  }
  return nextResolve(specifier, context)
}`
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url)
const { default: openapiTS, astToString } = await import('openapi-typescript')

const ui = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const input = resolve(ui, 'openapi.json')
const output = process.argv[2]
if (!output) {
  console.error('usage: node scripts/api-types.mjs OUT')
  process.exit(2)
}

const HEADER = `// GENERATED from ui/openapi.json by \`tools/ui.sh types\` (openapi-typescript): do not edit.
// When the server's API changes, regenerate openapi.json (\`prax openapi\`) and then this file;
// \`tools/ui.sh types-check\` (part of \`tools/ui.sh lint\`) fails while it is stale.

`

/**
 * A map whose keys are an enumeration (a Rust map keyed by an enum: `propertyNames` with `enum`,
 * inline or by `$ref`) as an object with one optional property per key. openapi-typescript 7
 * ignores `propertyNames` and would type it `{ [key: string]: V }`. Rewrites `document` in place.
 */
function enumKeyedMaps(document) {
  const enumOf = (schema) => {
    const ref = schema?.$ref?.match(/^#\/components\/schemas\/(.+)$/)
    const target = ref ? document.components?.schemas?.[ref[1]] : schema
    return Array.isArray(target?.enum) && target.enum.every((key) => typeof key === 'string') ? target.enum : null
  }
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (!node || typeof node !== 'object') return
    Object.values(node).forEach(visit)
    const keys = enumOf(node.propertyNames)
    const values = node.additionalProperties
    if (!keys || !values || typeof values !== 'object' || node.properties) return
    node.properties = Object.fromEntries(keys.map((key) => [key, values]))
    node.additionalProperties = false
    delete node.propertyNames
  }
  visit(document)
  return document
}

const document = enumKeyedMaps(JSON.parse(await readFile(input, 'utf8')))
const ast = await openapiTS(document, {
  // `{"type": "object"}` with no properties is any object, not an empty one.
  emptyObjectsUnknown: true,
  silent: false,
})
await writeFile(output, HEADER + astToString(ast))
console.error(`ui: wrote ${relative(process.cwd(), resolve(output))} from ${relative(process.cwd(), input)}`)
