// JSON bodies of the Praximous HTTP API, as the Rust server (host/) serializes and parses them.
// Derived by reading the serde structs and handlers; types only, no runtime code.
//
// Conventions:
// - A Rust `Option<T>` that is always serialized is `T | null` (the key is always present).
//   A field with `skip_serializing_if` is optional (`?:`), absent rather than null.
// - Rust integers are JS numbers. Latency percentiles from the histograms can be
//   u64::MAX (18446744073709551615, parsed by JSON.parse as 18446744073709552000) when the
//   value falls in the open-ended bucket above 60 000 ms: see `OPEN_ENDED_LATENCY_NOTE` below.
// - Authentication: send the key as `X-API-Key: <key>` (or `Authorization: Bearer <key>`).
//   A key in the query string is never read.
// - Every answer carries an `X-Request-Id` response header (a UUID v7).

// ---------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------

/** A key's role, least to most privileged: user < operator < admin (each includes those below). */
export type Role = 'admin' | 'operator' | 'user';

/** The body of almost every error answer: `detail` says what went wrong and what to do. */
export interface ErrorBody {
  detail: string;
}

/** One problem in a 422 validation answer (FastAPI/pydantic shape). */
export interface ValidationIssue {
  /** Machine-readable kind: `missing`, `string_type`, `json_invalid`, `model_attributes_type`, `int_parsing`, `greater_than_equal`, `less_than_equal`. */
  type: string;
  /** Where: `["body", "<field>"]`, `["body"]`, `["body", <byte offset>]` or `["query", "limit"|"offset"]`. */
  loc: (string | number)[];
  /** Human-readable message. */
  msg: string;
  /** The offending input (any JSON). */
  input: unknown;
  /** Extra context for some kinds, e.g. `{ge: 1}`, `{le: 500}`, `{error: "..."}`; absent otherwise. */
  ctx?: Record<string, unknown>;
}

/** The body of a 422 from POST /process (body) or GET /analytics (limit/offset): a list of issues. */
export interface ValidationErrorBody {
  detail: ValidationIssue[];
}

/** Any error body: `detail` is a string, except the validation 422s above where it is a list. */
export type ApiErrorBody = ErrorBody | ValidationErrorBody;

// ---------------------------------------------------------------------------------------
// GET /healthz, GET /api/v1/system, GET /api/v1/auth/me
// ---------------------------------------------------------------------------------------

/** GET /healthz (public): the server is up and its skills are loaded. */
export interface Health {
  /** Always `ok`. */
  status: 'ok';
  /** Number of skills loaded. */
  skills: number;
}

/** The configured `[identity]`: the business's name and voice. */
export interface Identity {
  /** The system's own name. */
  system_name: string;
  /** The business it serves; empty string when unset. */
  business_name: string;
  /** The business's industry. */
  industry: string;
  /** How the system should sound. */
  persona_style: string;
  /** How careful to be with data; `High` masks prompts and responses in the audit log. */
  sensitivity_level: 'Low' | 'Medium' | 'High';
  /** Where the business is. */
  location: string;
}

/** GET /api/v1/system: identity, version and uptime. */
export interface SystemInfo {
  /** Name derived from the identity (e.g. `Praximous-AcmeSolutions`), as in logs and the banner. */
  display_name: string;
  /** The `prax` version (Cargo package version, e.g. `0.1.0`). */
  version: string;
  /** Whole seconds since the server started. */
  uptime_seconds: number;
  /** The configured identity. */
  identity: Identity;
}

/** GET /api/v1/auth/me: the calling key. */
export interface Me {
  /** The key's id (`key_xxxxxxxx` for stored keys, `env-<12 hex>` for PRAXIMOUS_API_KEYS keys). */
  key_id: string;
  /** The key's name (`environment key #N` for environment keys). */
  key_name: string;
  /** The key's role. */
  role: Role;
}

// ---------------------------------------------------------------------------------------
// POST /api/v1/process
// ---------------------------------------------------------------------------------------

/** POST /api/v1/process request: `task_type` and `prompt` (both strings, required) plus any extra fields, passed to the skill as its params. */
export type ProcessRequest = {
  /** The skill name or LLM route name. */
  task_type: string;
  /** The prompt (must be a JSON string, may be empty). */
  prompt: string;
} & Record<string, unknown>;

/** POST /api/v1/process 200 answer. */
export interface ProcessResponse {
  /** Always `success`. */
  status: 'success';
  /** Skills: the skill's result data (any JSON). LLM routes: an `LlmResult` object. */
  result: unknown;
  /** The skill's summary message; for LLM routes `Request routed via <provider>`. */
  message: string | null;
  /** The skill's details; always null for LLM routes. */
  details: string | null;
  /** The request's id, also in the `X-Request-Id` header and the audit log. */
  request_id: string;
}

/** Why an LLM stopped generating. */
export type FinishReason = 'stop' | 'max_tokens' | 'other';

/** Token counts, when the provider reports them. */
export interface Usage {
  /** Prompt tokens. */
  input_tokens: number | null;
  /** Generated tokens. */
  output_tokens: number | null;
}

/** One attempt at one LLM provider (in LlmResult.attempts and AuditRecord.attempts). */
export interface Attempt {
  /** The provider's name. */
  provider: string;
  /** The model asked for. */
  model: string;
  /** `ok`, `skipped` (circuit open), or a failure kind: `connect`, `timeout`, `rate_limited`, `server_error`, `context_length`, `content_filtered`, `rejected`, `bad_response`, `unconfigured`, `unsupported`. */
  outcome: string;
  /** What went wrong; absent when `outcome` is `ok`. */
  error?: string;
  /** How long the attempt took, in ms. */
  duration_ms: number;
}

/** `ProcessResponse.result` when `task_type` named an LLM route (not a skill). */
export interface LlmResult {
  /** The provider that answered. */
  provider: string;
  /** The model that answered, as the provider named it. */
  model: string;
  /** The generated text. */
  text: string;
  /** Why generation stopped. */
  finish_reason: FinishReason;
  /** Token counts. */
  usage: Usage;
  /** Every attempt in order, the successful one last. */
  attempts: Attempt[];
}

// ---------------------------------------------------------------------------------------
// GET /api/v1/skills, GET /api/v1/skills/{name}/capabilities
// ---------------------------------------------------------------------------------------

/** A JSON Schema object (as written in the skill's manifest). */
export type JsonSchema = Record<string, unknown>;

/** One operation a skill offers. */
export interface SkillOperation {
  /** What the operation does. */
  description: string;
  /** The flat `field name -> JSON Schema` map (`params.properties`, or `{}`), as the Python original served it. */
  parameters_schema: Record<string, JsonSchema>;
  /** The whole JSON Schema of the request's extra fields (with `required`, etc.); `{}` when the manifest gives none. */
  params: JsonSchema;
  /** A complete example POST /api/v1/process body (has `task_type` = the skill and a string `prompt`), or null. */
  example_request_payload: ProcessRequest | null;
}

/** How much of the knowledge store a skill may use (ordered none < read < write). */
export type KnowledgeAccess = 'none' | 'read' | 'write';

/** Host capabilities the skill's manifest asks for (not narrowed by the operator's allow_hosts). */
export interface SkillPermissions {
  /** May call the LLM router. */
  llm: boolean;
  /** Host names (`name` or `name:port`) reachable over wasi:http; `"*"` means any host the operator allows in `[skills.<name>] allow_hosts`. */
  network: string[];
  /** Knowledge store access. */
  knowledge: KnowledgeAccess;
  /** May send e-mail through the operator's SMTP server. */
  mail: boolean;
}

/** Resource limits for one invocation. */
export interface SkillLimits {
  /** Linear memory ceiling, MiB (1..1024, default 64). */
  memory_mb: number;
  /** Wall-clock deadline, ms (1..300000, default 2000). */
  timeout_ms: number;
  /** CPU time budget, ms; absent means it equals `timeout_ms`. */
  cpu_ms?: number;
}

/** The license tier that unlocks a skill. */
export type Tier = 'community' | 'pro' | 'enterprise';

/** Where a loaded skill came from. */
export type SkillSource = 'builtin' | 'installed';

/** Whether a skill's manifest carries a trusted publisher's signature (tagged by `state`). */
export type SignatureState =
  | { state: 'builtin' }
  | { state: 'verified'; publisher: string }
  | { state: 'unsigned' }
  | { state: 'invalid'; reason: string };

/** GET /api/v1/skills/{name}/capabilities, and each value of GET /api/v1/skills. */
export interface SkillCapabilities {
  /** The skill's name (the `task_type` to send). */
  skill_name: string;
  /** One line on what it does. */
  description: string;
  /** Operations by name (sorted by name). */
  operations: Record<string, SkillOperation>;
  /** Semver version, e.g. `1.2.0`. */
  version: string;
  /** Who wrote it. */
  author: string;
  /** SPDX license expression. */
  license: string;
  /** The WIT package it targets, e.g. `praximous:skill@0.1.0`. */
  wit: string;
  /** Host capabilities it asks for. */
  permissions: SkillPermissions;
  /** Resource limits. */
  limits: SkillLimits;
  /** License tier. */
  tier: Tier;
  /** Built into the binary, or installed in the skills directory. */
  source: SkillSource;
  /** Signature state; the publisher's key id is `signature.publisher` when verified. (`invalid` skills are not loaded, so it is not seen in practice.) */
  signature: SignatureState;
}

/** GET /api/v1/skills: every loaded skill's capabilities, keyed by skill name (sorted). */
export type SkillsMap = Record<string, SkillCapabilities>;

// ---------------------------------------------------------------------------------------
// GET /api/v1/providers
// ---------------------------------------------------------------------------------------

/** The API a provider speaks. */
export type ProviderKind = 'gemini' | 'ollama' | 'openai' | 'anthropic';

/** A provider's circuit-breaker state. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** A provider's health: breaker state and its last 50 outcomes. */
export interface HealthSnapshot {
  /** Breaker state. */
  circuit: CircuitState;
  /** Failures in a row. */
  consecutive_failures: number;
  /** Attempts in the recent window (at most 50). */
  recent_attempts: number;
  /** Share of recent attempts that failed, 0..1 (0 when there are none). */
  recent_error_rate: number;
  /** Median latency of recent successful attempts, ms; null when none. */
  latency_p50_ms: number | null;
  /** Mean latency of recent successful attempts, ms; null when none. */
  latency_avg_ms: number | null;
  /** The most recent failure's message, if any. */
  last_error: string | null;
}

/** One configured LLM provider (never its secrets). */
export interface ProviderStatus {
  /** Unique name. */
  name: string;
  /** API spoken. NB: serialized as `type`. */
  type: ProviderKind;
  /** Default model. */
  model: string;
  /** Base URL in use (credentials masked), null when it could not be resolved. */
  base_url: string | null;
  /** Environment variable holding the base URL, if any. */
  base_url_env: string | null;
  /** Environment variable holding the API key, if any (never the key). */
  api_key_env: string | null;
  /** Per-attempt timeout, ms. */
  timeout_ms: number;
  /** Enabled in the configuration. */
  enabled: boolean;
  /** Order among providers. */
  priority: number;
  /** Usable now: enabled and its variables set. */
  available: boolean;
  /** Why it is not usable (e.g. `disabled in the configuration`); null when available. */
  unavailable_reason: string | null;
  /** Breaker and recent outcomes. */
  health: HealthSnapshot;
}

/** GET /api/v1/providers. */
export interface ProvidersBody {
  /** Every configured provider, in configuration order. */
  providers: ProviderStatus[];
  /** Route name (task type) -> provider names, in the order they are tried. */
  routes: Record<string, string[]>;
}

// ---------------------------------------------------------------------------------------
// Analytics
// ---------------------------------------------------------------------------------------

/** What served a request. */
export type TaskKind = 'skill' | 'llm' | 'unknown';

/** Outcome of a request as recorded. */
export type AuditStatus = 'success' | 'error';

/** One audit record: what happened to one POST /api/v1/process request. */
export interface AuditRecord {
  /** Row id. */
  id: number;
  /** The request's id (UUID v7). */
  request_id: string;
  /** When the request arrived, UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
  timestamp: string;
  /** The task type asked for. */
  task_type: string;
  /** What served it (`unknown`: no skill or route had that name, answered 404). */
  kind: TaskKind;
  /** LLM routes: the provider that answered (null if all failed); skills: `skill:<name>`; unknown: null. */
  provider: string | null;
  /** The skill's version, for skills; else null. */
  skill_version: string | null;
  /** LLM routes: every attempt (possibly `[]`); skills and unknown: null. */
  attempts: Attempt[] | null;
  /** `success` or `error`. */
  status: AuditStatus;
  /** The HTTP status answered. */
  http_status: number;
  /** Time to answer, ms. */
  latency_ms: number;
  /** The prompt, capped (`… [N bytes cut]`), `[masked: N bytes]` when sensitivity is High, or null when not stored. */
  prompt: string | null;
  /** The result as JSON text, or the error detail; capped/masked/null like `prompt`. */
  response_data: string | null;
  /** Size of the prompt, bytes. */
  prompt_bytes: number;
  /** Size of the answer's result/detail, bytes. */
  response_bytes: number;
  /** The API key's id (never the key). */
  api_key_id: string | null;
  /** The API key's name when the request was made. */
  api_key_name: string | null;
  /** The caller's address (`ip:port`). */
  client_addr: string | null;
}

/**
 * Filters accepted by every analytics endpoint (list, aggregates, export). All are query
 * parameters; unknown parameters are ignored. There is NO sort/order parameter.
 */
export interface AnalyticsFilterParams {
  /** Only this task type (exact match). */
  task_type?: string;
  /** Only this provider (exact match; skills are `skill:<name>`). */
  provider?: string;
  /** Only `success` or only `error` (anything else: 400). */
  status?: AuditStatus;
  /** Only requests made with this API key id (KeyInfo.id / Me.key_id). */
  api_key_id?: string;
  /** From this UTC day, `YYYY-MM-DD`, inclusive (malformed: 400). */
  start_date?: string;
  /** Up to this UTC day, `YYYY-MM-DD`, inclusive (malformed: 400). */
  end_date?: string;
}

/** GET /api/v1/analytics query: filters plus paging. Records are always newest first (timestamp desc, id desc). */
export interface AnalyticsListParams extends AnalyticsFilterParams {
  /** Page size, integer 1..500, default 50 (out of range / not an integer: 422 ValidationErrorBody). */
  limit?: number;
  /** Records to skip, integer >= 0, default 0 (invalid: 422 ValidationErrorBody). */
  offset?: number;
}

/** GET /api/v1/analytics: a page of audit records. */
export interface AnalyticsPage {
  /** Records matching the filters, in all. */
  total_matches: number;
  /** The page size used. */
  limit: number;
  /** The offset used. */
  offset: number;
  /** The records, newest first. */
  data: AuditRecord[];
}

/** Bucket size for tasks-over-time. */
export type Granularity = 'day' | 'month' | 'year';

/** GET /api/v1/analytics/tasks-over-time query: filters plus granularity (default `day`; other values: 400). */
export interface TasksOverTimeParams extends AnalyticsFilterParams {
  granularity?: Granularity;
}

/** One bucket of tasks-over-time. */
export interface TasksOverTimePoint {
  /** `YYYY-MM-DD` (day), `YYYY-MM` (month) or `YYYY` (year). */
  date_group: string;
  /** Requests in the bucket. */
  count: number;
}

/** GET /api/v1/analytics/tasks-over-time: buckets ascending; buckets with no requests are absent (not zero-filled). */
export interface TasksOverTimeBody {
  data: TasksOverTimePoint[];
}

/** One row of requests-per-provider. */
export interface RequestsPerProviderRow {
  /** The provider, or `skill:<name>`. */
  provider_name: string;
  /** Requests. */
  count: number;
}

/** GET /api/v1/analytics/requests-per-provider: sorted by provider_name; requests with no provider are left out. */
export interface RequestsPerProviderBody {
  data: RequestsPerProviderRow[];
}

/** One row of average-latency-per-provider. */
export interface AverageLatencyRow {
  /** The provider, or `skill:<name>`. */
  provider_name: string;
  /** Mean latency, ms (a float). */
  average_latency: number;
}

/** GET /api/v1/analytics/average-latency-per-provider: sorted by provider_name; requests with no provider are left out. */
export interface AverageLatencyPerProviderBody {
  data: AverageLatencyRow[];
}

/** Per-provider statistics from the daily roll-ups (latency-per-provider rows). */
export interface ProviderStats {
  /** The provider, or `skill:<name>`. */
  provider_name: string;
  /** Requests. */
  count: number;
  /** Mean latency, ms (a float, exact). */
  average_latency: number;
  /** Median latency estimate, ms: the upper bound of its histogram bucket; null if no requests; u64::MAX if above 60 000 ms. */
  p50_latency_ms: number | null;
  /** 95th percentile estimate, ms, same rules as p50. */
  p95_latency_ms: number | null;
  /** Share of requests that ended in an error, 0..1. */
  error_rate: number;
}

/** GET /api/v1/analytics/latency-per-provider: sorted by provider_name; requests with no provider are left out. */
export interface LatencyPerProviderBody {
  data: ProviderStats[];
}

/** One skill's usage count in the summary. */
export interface SkillUsage {
  /** The skill's name (its task type). */
  skill: string;
  /** Requests it served. */
  count: number;
}

/** GET /api/v1/analytics/summary: overall totals over the filtered range. */
export interface AnalyticsSummary {
  /** Requests in all. */
  total_requests: number;
  /** Requests whose status is not `success`. */
  errors: number;
  /** errors / total_requests, 0..1 (0 when there are none). */
  error_rate: number;
  /** Median latency estimate (histogram bucket bound), ms; null if no requests; u64::MAX if above 60 000 ms. */
  latency_p50_ms: number | null;
  /** 95th percentile estimate, ms, same rules. */
  latency_p95_ms: number | null;
  /** Requests by status (keys `success` / `error`, present only when non-zero). */
  by_status: Partial<Record<AuditStatus, number>>;
  /** Requests per skill (kind `skill` only; LLM routes and unknown task types are not listed), sorted by skill name. */
  skill_usage: SkillUsage[];
}

/** Export file format. */
export type ExportFormat = 'csv' | 'jsonl';

/** GET /api/v1/analytics/export query: filters plus `format` (default `jsonl`; other values: 400). Records oldest first. */
export interface AnalyticsExportParams extends AnalyticsFilterParams {
  format?: ExportFormat;
}

/** Columns of the CSV export, in order (header row first). Null fields are empty; `attempts` is JSON text. JSONL lines are AuditRecord objects. */
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
  | 'api_key_name';

// ---------------------------------------------------------------------------------------
// Keys: GET/POST /api/v1/keys, DELETE /api/v1/keys/{key_id}
// ---------------------------------------------------------------------------------------

/** Where a key comes from. */
export type KeySource = 'store' | 'environment';

/** A key's state. */
export type KeyState = 'active' | 'revoked' | 'expired';

/** A key as listed: everything but the secret. */
export interface KeyInfo {
  /** Its id (`key_…` or `env-…`): use it to revoke and to filter analytics (`api_key_id`). */
  id: string;
  /** Its name. */
  name: string;
  /** What it may do (environment keys are always `admin`). */
  role: Role;
  /** Its first characters, to recognise it. */
  prefix: string;
  /** `store` (prax keys create / the API) or `environment` (PRAXIMOUS_API_KEYS; cannot be revoked here). */
  source: KeySource;
  /** `active`, `revoked` or `expired`. */
  state: KeyState;
  /** When it was made (RFC 3339, whole seconds, e.g. `2026-01-02T03:04:05Z`); null for environment keys. */
  created_at: string | null;
  /** When it stops working (RFC 3339); null when it does not expire. */
  expires_at: string | null;
  /** When it was revoked (RFC 3339); null when not revoked. */
  revoked_at: string | null;
  /** Its own request limit per minute (0: unlimited); null: the server's default. */
  rate_limit_per_minute: number | null;
}

/** POST /api/v1/keys request (unknown fields are refused with 422). */
export interface NewKey {
  /** 1..100 characters after trimming, no control characters. */
  name: string;
  /** What it may do. */
  role: Role;
  /** Days until it stops working, integer 1..3650; absent or null: never expires. */
  expires_in_days?: number | null;
  /** Requests per minute, integer >= 0 (0: unlimited); absent or null: the server's default. */
  rate_limit_per_minute?: number | null;
}

/** POST /api/v1/keys 201 answer: the KeyInfo fields (flattened) plus the secret, shown this once. */
export interface IssuedKey extends KeyInfo {
  /** The key itself. It is not stored and can never be shown again. */
  key: string;
}

// ---------------------------------------------------------------------------------------
// Registry: browse, install, update, remove
// ---------------------------------------------------------------------------------------

/** One skill offered by the configured registry, and what is installed here. */
export interface RegistrySkill {
  /** Its name. */
  name: string;
  /** The newest version's description. */
  description: string;
  /** Versions that are not yanked, in publication order (oldest first). */
  versions: string[];
  /** The last of `versions` (last published, normally the newest); null when all are yanked. */
  latest: string | null;
  /** The version loaded here under that name (a built-in of the same name counts), or null. */
  installed: string | null;
}

/** GET /api/v1/registry/skills: every skill in the registry index, sorted by name. */
export type RegistryBrowseBody = RegistrySkill[];

/** POST /api/v1/skills/install request (unknown fields are refused with 422). */
export interface InstallRequest {
  /** `NAME` (newest non-yanked) or `NAME@SEMVER_REQ` (`@1.2` means `^1.2`; `@=1.2.0` one version). Bundles (`*.tar`) are refused (422). */
  skill: string;
  /** Accept permissions/limits wider than the installed version's (default false). */
  accept_permissions?: boolean;
  /** Allow a version older than the installed one (default false). */
  allow_downgrade?: boolean;
  /** Run every check and report what would change, installing nothing (default false). */
  dry_run?: boolean;
}

/** POST /api/v1/skills/{name}/update request: send at least `{}` with Content-Type application/json (no body: 422). Unknown fields (e.g. allow_downgrade): 422. */
export interface UpdateRequest {
  /** Consent to the widened permissions: required (true) when the newest version asks for more than the installed one, else 409. */
  accept_permissions?: boolean;
  /** Report what would change (including `widened`), installing nothing. */
  dry_run?: boolean;
  /** Update to exactly this version (the one a dry run reported); the newest otherwise. */
  version?: string;
}

/** 200 answer of install and update (also of their dry runs). */
export interface InstallReport {
  /** The skill. */
  name: string;
  /** The version installed now (dry run: the version that would be). */
  version: string;
  /** The version it replaced (or would replace), null if none was installed. Equal to `version` with `changed: false` when already up to date. */
  previous: string | null;
  /** The signing publisher's key id; null when unsigned (development sources only). */
  publisher: string | null;
  /** Each permission/limit the new version gains over the installed one, in words (e.g. `network: + api.example.com`, `llm: may now call the LLM router`, `knowledge: none -> read`, `limits.memory_mb: 64 -> 128`); `[]` for a fresh install or when nothing widens. */
  widened: string[];
  /** False when nothing was written: a dry run, or this exact version was already installed. */
  changed: boolean;
}

// ---------------------------------------------------------------------------------------
// Access policy and status codes (host/src/auth/policy.rs and the handlers)
// ---------------------------------------------------------------------------------------
//
// Authentication errors for every non-public route (body ErrorBody):
//   401  no key sent ("Not authenticated: API key is missing.", WWW-Authenticate: Bearer)
//   403  key unknown/revoked/expired ("Access denied: Invalid API key."; repeated failures
//        from one address are answered more slowly), or the key's role is too low
//        ("Access denied: this endpoint requires the '<role>' role; ...")
//   429  the key's per-minute rate limit; Retry-After header (seconds)
//   404  {"detail":"Not Found"} for unknown paths; 405 {"detail":"Method Not Allowed"}
//
// Endpoint                                          Role       Special statuses
// GET    /healthz                                   public     -
// GET    /metrics                                   operator   (Prometheus text, not JSON)
// GET    /api/v1/system                             operator   -
// GET    /api/v1/auth/me                            user       -
// POST   /api/v1/process                            user       400 skill refused input / provider refused content;
//                                                              403 skill lacked a capability; 404 no skill or route
//                                                              of that name; 413 body too large; 422 ValidationErrorBody
//                                                              (not audited); 500 skill crashed/out of memory/bad output;
//                                                              503 all LLM providers failed, all skill slots busy, or
//                                                              the audit record could not be written; 504 skill timeout
// GET    /api/v1/skills                             user       -
// GET    /api/v1/skills/{name}/capabilities         user       404 no such skill
// GET    /api/v1/providers                          operator   -
// GET    /api/v1/analytics                          operator   400 bad status/date; 422 ValidationErrorBody for limit/offset
// GET    /api/v1/analytics/{request_id}             operator   404 no record for that id
// GET    /api/v1/analytics/tasks-over-time          operator   400 bad granularity/status/date
// GET    /api/v1/analytics/requests-per-provider    operator   400 bad status/date
// GET    /api/v1/analytics/average-latency-per-provider operator 400 bad status/date
// GET    /api/v1/analytics/latency-per-provider     operator   400 bad status/date
// GET    /api/v1/analytics/summary                  operator   400 bad status/date
// GET    /api/v1/analytics/export                   operator   400 bad format/status/date. 200 streams text/csv
//                                                              (audit.csv) or application/x-ndjson (audit.jsonl) with
//                                                              Content-Disposition: attachment. The key must go in a
//                                                              header, so fetch() it and save the Blob; a plain <a href>
//                                                              gets 401. URL: /api/v1/analytics/export?format=csv&<filters>
// GET    /api/v1/keys                               admin      - (200 KeyInfo[]: environment keys first, then stored, oldest first)
// POST   /api/v1/keys                               admin      201 IssuedKey; 422 bad body/name/expiry (string detail)
// DELETE /api/v1/keys/{key_id}                      admin      200 KeyInfo (revoked; repeating it is harmless; id or
//                                                              unique prefix); 404 no such key; 409 environment key or
//                                                              ambiguous prefix
// GET    /api/v1/registry/skills                    admin      409 no registry configured; 502 registry unreadable
// POST   /api/v1/skills/install                     admin      200 InstallReport; 404 no such skill/version in the
//                                                              registry; 409 downgrade without allow_downgrade, OR
//                                                              widened permissions without accept_permissions, OR no
//                                                              registry configured; 422 bad body/spec, bundle, signature,
//                                                              unsigned, digest or WIT check failed; 500 write failed;
//                                                              502 registry unreadable
// POST   /api/v1/skills/{name}/update               admin      same as install. Consent: 409 (string detail "<name>
//                                                              <new> asks for more than the installed <old>: <change>;
//                                                              <change>; accept with --accept-permissions") when the
//                                                              new version widens permissions and accept_permissions is
//                                                              not true. To show the diff first, POST {"dry_run": true}:
//                                                              200 with `widened` (never 409 for permissions on a dry
//                                                              run), then POST {"accept_permissions": true}. A registry
//                                                              whose newest is older than installed: 409 even on dry run.
// DELETE /api/v1/skills/{name}                      admin      204 no body; 404 not installed (built-ins cannot be
//                                                              removed; removing an installed override of a built-in
//                                                              makes the built-in serve again)
//
// OPEN_ENDED_LATENCY_NOTE: histogram bucket bounds (ms) are 1, 2, 5, 10, 20, 50, 100, 200, 500,
// 1000, 2000, 5000, 10000, 30000, 60000, then open-ended; a percentile in the last bucket is
// reported as u64::MAX, so treat any value > 60000 as "> 60 s".
