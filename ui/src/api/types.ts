// JSON bodies of the Praximous HTTP API, under the names the pages import.
//
// Most are aliases of the types generated from the server's OpenAPI document (ui/openapi.json →
// schema.d.ts, by `tools/ui.sh types`): when the server changes, regenerate and let `tsc` say
// what broke. The rest are written by hand, each with the reason: the document types those
// answers only as "an object" (the skills list and a skill's capabilities), or types a part of
// them more loosely than the UI relies on (validation issues, a key's `source` and `state`, the
// CSV export's columns). Tighten the server's annotations and those can become aliases too.
//
// Conventions:
// - Answers: a Rust `Option` field is required and nullable (`x: T | null`): always present,
//   `null` when unset. The one optional answer field is `Attempt.error`, absent on success.
//   Request fields the server defaults are optional (`x?: T`, or `x?: T | null` where null means
//   the same as absent).
// - Query parameters: the document marks each optional one nullable too; a query string has no
//   null, so the parameter types below drop it (`QueryOf`): absent means the default.
// - Rust integers are JS numbers. Latency percentiles from the histograms can be u64::MAX
//   (18446744073709551615, which JSON.parse reads as 18446744073709552000) when the value falls
//   in the open-ended bucket above 60 000 ms: see `OPEN_ENDED_LATENCY_NOTE` below.
// - Authentication: the key goes in `X-API-Key: <key>` (or `Authorization: Bearer <key>`), never
//   in the query string. Each operation's `x-required-role` in openapi.json names the least role.
// - Every answer carries an `X-Request-Id` response header (a UUID v7).

import type { components, operations } from './schema'

type Schemas = components['schemas']

/** The query parameters of `operation`, each optional and never null (see Conventions above). */
type QueryOf<Operation extends keyof operations> = {
  [Name in keyof NonNullable<operations[Operation]['parameters']['query']>]?: NonNullable<
    NonNullable<operations[Operation]['parameters']['query']>[Name]
  >
}

// ---------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------

/** A key's role, least to most privileged: user < operator < admin (each includes those below). */
export type Role = Schemas['Role']

/** What kind of error an answer is (`detail` says it for people): match on this, never on the text. */
export type ErrorCode = Schemas['ErrorCode']

/** The body of almost every error answer: `detail` says what went wrong, `code` what kind of error. */
export type ErrorBody = Schemas['ErrorBody']

/**
 * One problem in a 422 validation answer (FastAPI/pydantic shape). Hand-tightened: the document
 * types `loc`'s items and `input` as objects, but `loc` holds strings and numbers
 * (`["body", "<field>"]`, `["body", <byte offset>]`, `["query", "limit"]`) and `input` is any JSON.
 */
export type ValidationIssue = Omit<Schemas['ValidationIssue'], 'loc' | 'input'> & {
  loc: (string | number)[]
  input: unknown
}

/** The body of a 422 from POST /process, POST /keys, install and update (body), or GET /analytics (limit/offset): a list of issues. */
export type ValidationErrorBody = Omit<Schemas['ValidationErrorBody'], 'detail'> & { detail: ValidationIssue[] }

/** Any error body: `detail` is a string, except the validation 422s above where it is a list. */
export type ApiErrorBody = ErrorBody | ValidationErrorBody

// ---------------------------------------------------------------------------------------
// GET /healthz, GET /api/v1/system, GET /api/v1/auth/me
// ---------------------------------------------------------------------------------------

/** GET /healthz (public): the server is up (`status` is `ok`) and `skills` are loaded. */
export type Health = Schemas['Health']

/** The configured `[identity]`: the business's name and voice (`sensitivity_level`: `Low`, `Medium` or `High`). */
export type Identity = Schemas['Identity']

/** GET /api/v1/system: identity, version and uptime. */
export type SystemInfo = Schemas['SystemInfo']

/** GET /api/v1/auth/me: the calling key, or the user signed in with single sign-on. */
export type Me = Schemas['Me']

/** GET /api/v1/auth/sso (public): whether the sign-in page offers single sign-on. */
export type SsoInfo = Schemas['SsoInfo']

/** A person who signed in with single sign-on (GET /api/v1/users, `Me.user`). */
export type User = Schemas['User']

/** PATCH /api/v1/users/{user_id}: an admin's change (absent fields stay). */
export type UserChange = Schemas['UserChange']

/** The role an admin sets for a user; `from_groups` clears the override. */
export type RoleChoice = Schemas['RoleChoice']

/** POST /api/v1/auth/me/keys: a personal key for the signed-in user, with their role. */
export type NewPersonalKey = Schemas['NewPersonalKey']

/** GET /api/v1/license: the tier in force and its state (the whole licence for admins). */
export type LicenseInfo = Schemas['LicenseInfo']

/** POST /api/v1/license: what a key gives, and whether it was installed. */
export type InstalledLicense = Schemas['InstalledLicense']

/** GET /api/v1/admin-audit: one administrative change. */
export type AdminAuditEntry = Schemas['AdminAuditEntry']

// ---------------------------------------------------------------------------------------
// POST /api/v1/process
// ---------------------------------------------------------------------------------------

/** POST /api/v1/process request: `task_type` and `prompt` plus any extra fields, passed to the skill as its params. */
export type ProcessRequest = Schemas['ProcessRequest']

/** POST /api/v1/process 200 answer. `result` is the skill's data (any JSON) or, for an LLM route, an `LlmResult`. */
export type ProcessResponse = Schemas['ProcessResponse']

/** One event of a streamed task (SSE data, or a WebSocket frame without its `id`). */
export type TaskEvent = Schemas['TaskEvent']

/** Why an LLM stopped generating. */
export type FinishReason = Schemas['FinishReason']

/** Token counts, when the provider reports them. */
export type Usage = Schemas['Usage']

/** One attempt at one LLM provider (in LlmResult.attempts and AuditRecord.attempts). */
export type Attempt = Schemas['Attempt']

/** `ProcessResponse.result` when `task_type` named an LLM route (not a skill). */
export type LlmResult = Schemas['LlmResult']

// ---------------------------------------------------------------------------------------
// GET /api/v1/skills, GET /api/v1/skills/{name}/capabilities
//
// Hand-written: openapi.json still types both answers only as `{"type": "object"}` (the server
// builds them with `json!`), so nothing below is checked against the server: the pages read them
// with `looseDataOf`.
// ---------------------------------------------------------------------------------------

/** A JSON Schema object (as written in the skill's manifest). */
export type JsonSchema = Record<string, unknown>

/** One operation a skill offers. */
export interface SkillOperation {
  /** What the operation does. */
  description: string
  /** The flat `field name -> JSON Schema` map (`params.properties`, or `{}`), as the Python original served it. */
  parameters_schema: Record<string, JsonSchema>
  /** The whole JSON Schema of the request's extra fields (with `required`, etc.); `{}` when the manifest gives none. */
  params: JsonSchema
  /** A complete example POST /api/v1/process body (has `task_type` = the skill and a string `prompt`), or null. */
  example_request_payload: ProcessRequest | null
}

/**
 * The knowledge collections a skill may search: their names (`"*"`: any the operator allows),
 * or, from earlier manifests, a level for every collection (none < read < write).
 */
export type KnowledgeAccess = 'none' | 'read' | 'write' | string[]

/** Host capabilities the skill's manifest asks for (not narrowed by the operator's allow_hosts). */
export interface SkillPermissions {
  /** May call the LLM router. */
  llm: boolean
  /** Host names (`name` or `name:port`) reachable over wasi:http; `"*"` means any host the operator allows in `[skills.<name>] allow_hosts`. */
  network: string[]
  /** Knowledge store access. */
  knowledge: KnowledgeAccess
  /** May send e-mail through the operator's SMTP server. */
  mail: boolean
}

/** Resource limits for one invocation. */
export interface SkillLimits {
  /** Linear memory ceiling, MiB (1..1024, default 64). */
  memory_mb: number
  /** Wall-clock deadline, ms (1..300000, default 2000). */
  timeout_ms: number
  /** CPU time budget, ms; absent means it equals `timeout_ms`. */
  cpu_ms?: number
}

/** The license tier that unlocks a skill. */
export type Tier = 'community' | 'pro' | 'enterprise'

/** Where a loaded skill came from. */
export type SkillSource = 'builtin' | 'installed'

/** Whether a skill's manifest carries a trusted publisher's signature (tagged by `state`). */
export type SignatureState =
  | { state: 'builtin' }
  | { state: 'verified'; publisher: string }
  | { state: 'unsigned' }
  | { state: 'invalid'; reason: string }

/** GET /api/v1/skills/{name}/capabilities, and each value of GET /api/v1/skills. */
export interface SkillCapabilities {
  /** The skill's name (the `task_type` to send). */
  skill_name: string
  /** One line on what it does. */
  description: string
  /** Operations by name (sorted by name). */
  operations: Record<string, SkillOperation>
  /** Semver version, e.g. `1.2.0`. */
  version: string
  /** Who wrote it. */
  author: string
  /** SPDX license expression. */
  license: string
  /** The WIT package it targets, e.g. `praximous:skill@0.1.0`. */
  wit: string
  /** Host capabilities it asks for. */
  permissions: SkillPermissions
  /** Resource limits. */
  limits: SkillLimits
  /** License tier. */
  tier: Tier
  /** Built into the binary, or installed in the skills directory. */
  source: SkillSource
  /** Signature state; the publisher's key id is `signature.publisher` when verified. (`invalid` skills are not loaded, so it is not seen in practice.) */
  signature: SignatureState
  /** For a skill a licence tier gates: the lowest tier that includes it. */
  licence_tier?: 'standard' | 'team' | 'pro' | 'enterprise'
  /** For a gated skill: whether the licence in force unlocks it. */
  unlocked?: boolean
}

/** GET /api/v1/skills: every loaded skill's capabilities, keyed by skill name (sorted). */
export type SkillsMap = Record<string, SkillCapabilities>

// ---------------------------------------------------------------------------------------
// GET /api/v1/providers
// ---------------------------------------------------------------------------------------

/** A provider's circuit-breaker state. */
export type CircuitState = Schemas['CircuitState']

/** A provider's health: breaker state and its last 50 outcomes. */
export type HealthSnapshot = Schemas['HealthSnapshot']

/** One configured LLM provider (never its secrets); `type` is `gemini`, `ollama`, `openai` or `anthropic`. */
export type ProviderStatus = Schemas['ProviderStatus']

/** GET /api/v1/providers: every provider, and each route's providers in the order they are tried. */
export type ProvidersBody = Schemas['ProvidersBody']

// ---------------------------------------------------------------------------------------
// Analytics
// ---------------------------------------------------------------------------------------

/** What served a request. */
export type TaskKind = Schemas['TaskKind']

/** How a request ended, as recorded (and the analytics `status` filter). */
export type AuditStatus = Schemas['RecordStatus']

/** One audit record: what happened to one POST /api/v1/process request. `attempts` is null for skills. */
export type AuditRecord = Schemas['AuditRecord']

/**
 * Every analytics endpoint's query, as the document gives it: the same ten parameters on each
 * (list, aggregates, export), whether or not that endpoint reads them. The types below pick the
 * ones each endpoint applies; there is NO sort parameter.
 */
type AnalyticsQuery = QueryOf<'list'>

/**
 * Filters accepted by every analytics endpoint (list, aggregates, export). `status` other than
 * `success`/`error` and malformed `YYYY-MM-DD` dates (UTC days, both inclusive) are refused with 400.
 * Skills' provider is `skill:<name>`; `api_key_id` is KeyInfo.id / Me.key_id.
 */
export type AnalyticsFilterParams = Pick<AnalyticsQuery, 'task_type' | 'provider' | 'status' | 'api_key_id' | 'start_date' | 'end_date' | 'kind'>

/**
 * GET /api/v1/analytics query: filters plus paging (`limit` 1..500, default 50; `offset` >= 0;
 * out of range: 422 ValidationErrorBody). Records are always newest first (timestamp desc, id desc).
 */
export type AnalyticsListParams = AnalyticsFilterParams & Pick<QueryOf<'list'>, 'limit' | 'offset'>

/** GET /api/v1/analytics: a page of audit records, newest first. */
export type AnalyticsPage = Schemas['AnalyticsPage']

/** Bucket size for tasks-over-time. */
export type Granularity = Schemas['TimeBucket']

/** GET /api/v1/analytics/tasks-over-time query: filters plus granularity (default `day`). */
export type TasksOverTimeParams = AnalyticsFilterParams & Pick<QueryOf<'tasks_over_time'>, 'granularity'>

/** One bucket of tasks-over-time: `date_group` is `YYYY-MM-DD` (day), `YYYY-MM` (month) or `YYYY` (year). */
export type TasksOverTimePoint = Schemas['DateCount']

/** GET /api/v1/analytics/tasks-over-time: buckets ascending; buckets with no requests are absent (not zero-filled). */
export type TasksOverTimeBody = Schemas['TasksOverTime']

/** One row of requests-per-provider (the provider, or `skill:<name>`). */
export type RequestsPerProviderRow = Schemas['ProviderCount']

/** GET /api/v1/analytics/requests-per-provider: sorted by provider_name; requests with no provider are left out. */
export type RequestsPerProviderBody = Schemas['RequestsPerProvider']

/** One row of average-latency-per-provider: mean latency, ms (a float). */
export type AverageLatencyRow = Schemas['ProviderLatency']

/** GET /api/v1/analytics/average-latency-per-provider: sorted by provider_name; requests with no provider are left out. */
export type AverageLatencyPerProviderBody = Schemas['AverageLatencyPerProvider']

/**
 * Per-provider statistics from the daily roll-ups (latency-per-provider rows). The percentiles
 * are the upper bounds of their histogram buckets; null if no requests; u64::MAX above 60 000 ms.
 */
export type ProviderStats = Schemas['ProviderStats']

/** GET /api/v1/analytics/latency-per-provider: sorted by provider_name; requests with no provider are left out. */
export type LatencyPerProviderBody = Schemas['LatencyPerProvider']

/** One skill's usage count in the summary. */
export type SkillUsage = Schemas['SkillUsage']

/**
 * GET /api/v1/analytics/summary: overall totals over the filtered range. Latency percentiles:
 * histogram bucket bounds, ms; null if no requests; u64::MAX above 60 000 ms. `by_status` has a
 * key only for a status with requests. `skill_usage` lists kind `skill` only, sorted by skill name.
 */
export type AnalyticsSummary = Schemas['Summary']

/** Export file format. */
export type ExportFormat = Schemas['ExportFormat']

/**
 * GET /api/v1/analytics/export query: filters plus `format` (default `jsonl`). Records oldest
 * first, streamed as `text/csv` or `application/x-ndjson`.
 */
export type AnalyticsExportParams = AnalyticsFilterParams & Pick<QueryOf<'export'>, 'format'>

/**
 * Columns of the CSV export, in order (header row first). Null fields are empty; `attempts` is
 * JSON text. JSONL lines are AuditRecord objects. Hand-written: the document types both bodies
 * only as strings.
 */
export type AuditCsvColumn =
  | 'id'
  | 'request_id'
  | 'timestamp'
  | 'task_type'
  | 'kind'
  | 'provider'
  | 'skill_version'
  | 'attempts'
  | 'status'
  | 'http_status'
  | 'latency_ms'
  | 'prompt'
  | 'response_data'
  | 'prompt_bytes'
  | 'response_bytes'
  | 'api_key_id'
  | 'client_addr'
  | 'api_key_name'

// ---------------------------------------------------------------------------------------
// Keys: GET/POST /api/v1/keys, DELETE /api/v1/keys/{key_id}
// ---------------------------------------------------------------------------------------

/** Where a key comes from (the document types `KeyInfo.source` as a plain string). */
export type KeySource = 'store' | 'environment'

/** A key's state (the document types `KeyInfo.state` as a plain string). */
export type KeyState = 'active' | 'revoked' | 'expired'

/** A key as listed: everything but the secret. Timestamps are RFC 3339, whole seconds. */
export type KeyInfo = Schemas['KeyInfo']

/** POST /api/v1/keys request (unknown fields are refused with 422). */
export type NewKey = Schemas['NewKey']

/** POST /api/v1/keys 201 answer: the KeyInfo fields plus the secret, shown this once. */
export type IssuedKey = Schemas['IssuedKey']

// ---------------------------------------------------------------------------------------
// Registry: browse, install, update, remove
// ---------------------------------------------------------------------------------------

/** One skill offered by the configured registry, and the version installed here (or null). */
export type RegistrySkill = Schemas['RegistrySkill']

/** GET /api/v1/registry/skills: every skill in the registry index, sorted by name. */
export type RegistryBrowseBody = RegistrySkill[]

/** POST /api/v1/skills/install request (unknown fields are refused with 422). */
export type InstallRequest = Schemas['InstallRequest']

/**
 * POST /api/v1/skills/{name}/update request: send at least `{}`. Without `accept_permissions`,
 * a version that widens permissions is refused with 409, and without `accept_publisher_change`
 * one signed by another publisher; `{"dry_run": true}` reports `widened` and `previous_publisher`
 * first. Consent names the dry run's `version` and `sha256`: anything else is refused with 409.
 */
export type UpdateRequest = Schemas['UpdateRequest']

/** 200 answer of install and update (also of their dry runs). */
export type InstallReport = Schemas['InstallReport']

// OPEN_ENDED_LATENCY_NOTE: histogram bucket bounds (ms) are 1, 2, 5, 10, 20, 50, 100, 200, 500,
// 1000, 2000, 5000, 10000, 30000, 60000, then open-ended; a percentile in the last bucket is
// reported as u64::MAX, so treat any value > 60000 as "> 60 s".

// ---------------------------------------------------------------------------------------
// /api/v1/knowledge
// ---------------------------------------------------------------------------------------

/** A knowledge collection and how much it holds. */
export type CollectionStats = Schemas['CollectionStats']

/** A document in a collection. */
export type KnowledgeDocument = Schemas['Document']

/** POST .../documents 201: what the upload did to each file. */
export type UploadAnswer = Schemas['UploadAnswer']

/** POST .../search request. */
export type SearchRequest = Schemas['SearchRequest']

/** POST .../search 200: the passages, best first. */
export type SearchAnswer = Schemas['SearchAnswer']

/** A passage found. */
export type Passage = Schemas['Passage']

/**
 * `ProcessResponse.result` of the `knowledge_retrieval` skill. Hand-written: a skill's result
 * is any JSON to the server's document; this is what that skill's manifest promises.
 */
export interface KnowledgeAnswer {
  answer: string
  found: boolean
  citations: {
    number: number
    document: string
    title: string
    heading_path: string[]
    page: number | null
    position: number
  }[]
  passages: (Passage & { number: number })[]
  provider?: string
  model?: string
}
