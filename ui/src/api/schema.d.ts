// GENERATED from ui/openapi.json by `tools/ui.sh types` (openapi-typescript): do not edit.
// When the server's API changes, regenerate openapi.json (`prax openapi`) and then this file;
// `tools/ui.sh types-check` (part of `tools/ui.sh lint`) fails while it is stale.

export interface paths {
    "/api/v1/admin-audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Administrative changes, newest first: keys, skills, the licence, the identity.
         * @description Requires a key with the `admin` role or higher.
         */
        get: operations["admin_audit_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin-audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The whole log, oldest first, as CSV or JSON Lines (the Enterprise tier).
         * @description Requires a key with the `admin` role or higher.
         */
        get: operations["admin_audit_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin-audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Check the chain: every entry matches its hash and links to the one before.
         * @description Requires a key with the `admin` role or higher.
         */
        get: operations["admin_audit_verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Audit records, newest first, filtered and paged.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics/average-latency-per-provider": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Mean latency per provider.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["average_latency_per_provider"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The filtered records, oldest first, as CSV or JSON Lines, streamed as they are read.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics/latency-per-provider": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Per provider: requests, mean, p50 and p95 latency (bucket estimates), error rate.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["latency_per_provider"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics/requests-per-provider": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Requests per provider (skills appear as `skill:<name>`).
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["requests_per_provider"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Overall totals, error rate, status breakdown and skill usage counts.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["summary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics/tasks-over-time": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Requests per day, month or year.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["tasks_over_time"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/analytics/{request_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One audit record.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["one"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller: the key's (or the signed-in user's) id, name and role.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed-in user's own keys.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["list_my_keys"];
        put?: never;
        /**
         * Make a personal key with your role. Its secret is in this answer only.
         * @description Requires a key with the `user` role or higher.
         */
        post: operations["create_my_key"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me/keys/{key_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke one of your personal keys.
         * @description Requires a key with the `user` role or higher.
         */
        delete: operations["revoke_my_key"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End this browser's session (it stops working at once, on every replica), and say where
         *     to end the provider's.
         * @description Requires a key with the `user` role or higher.
         */
        post: operations["sign_out"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/sso": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether single sign-on is offered, and how to start it. */
        get: operations["sso_info"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/sso/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Finish signing in: the code redeemed, the ID token checked, the user's role from their
         *     groups, a session begun.
         */
        get: operations["sso_callback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/sso/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Start signing in: to the provider, with a fresh state, nonce and PKCE challenge bound to
         *     this browser by a cookie.
         */
        get: operations["sso_login"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every key (environment and stored; revoked and expired included), without secrets.
         * @description Requires a key with the `admin` role or higher.
         */
        get: operations["list_keys"];
        put?: never;
        /**
         * Make a key. Its secret is in this answer only: it is not stored and cannot be shown again.
         * @description Requires a key with the `admin` role or higher.
         */
        post: operations["create_key"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/keys/{key_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a key by its id (or unique prefix). It stops working at once on this server and
         *     within `[auth] key_refresh_ms` on the others. Revoking it again changes nothing.
         * @description Requires a key with the `admin` role or higher.
         */
        delete: operations["revoke_key"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/knowledge/collections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every collection, with how much it holds.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["list_collections"];
        put?: never;
        /**
         * Make a collection.
         * @description Requires a key with the `operator` role or higher.
         */
        post: operations["create_collection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/knowledge/collections/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One collection.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["get_collection"];
        put?: never;
        post?: never;
        /**
         * Delete a collection with every document in it and its indexes.
         * @description Requires a key with the `operator` role or higher.
         */
        delete: operations["delete_collection"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/knowledge/collections/{name}/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The documents of a collection.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["list_documents"];
        put?: never;
        /**
         * Upload documents: each file is read, cut into passages and checked before any is stored
         *     (one bad file changes nothing), then each is stored whole, replacing an earlier version
         *     with the same id, and is searchable when the answer comes.
         * @description Requires a key with the `operator` role or higher.
         */
        post: operations["upload_documents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/knowledge/collections/{name}/documents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a document: its passages leave the search at once.
         * @description Requires a key with the `operator` role or higher.
         */
        delete: operations["delete_document"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/knowledge/collections/{name}/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Search a collection: the passages that best match the words, with their place in the
         *     document. Filters apply inside the index, before the top passages are cut.
         * @description Requires a key with the `user` role or higher.
         */
        post: operations["search_collection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/license": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The licence: tier and state for everyone, the whole of it for admins.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["license"];
        put?: never;
        /**
         * Check a licence key and, unless `dry_run`, install it: in force at once, on this server
         *     (other replicas read their own data directory or `PRAXIMOUS_LICENSE`).
         * @description Requires a key with the `admin` role or higher.
         */
        post: operations["install_license"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/process": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a task with the skill named by `task_type`, or through the LLM route of that name;
         *     streamed as events when the caller asks for `text/event-stream`.
         * @description Requires a key with the `user` role or higher.
         */
        post: operations["process"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Providers, their health, and the routes.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["list_providers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/registry/skills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every skill the configured registry offers.
         * @description Requires a key with the `admin` role or higher.
         */
        get: operations["browse"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/skills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every skill's capabilities, by skill name: the skills this key may use.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["list_skills"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/skills/install": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Install a skill from the configured registry (or report what it would change, with
         *     `dry_run`). A wider set of permissions than the installed version's needs
         *     `accept_permissions`; an older version needs `allow_downgrade`.
         * @description Requires a key with the `admin` role or higher.
         */
        post: operations["install_skill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/skills/{skill_name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove an installed skill (a built-in of the same name, if any, serves again).
         * @description Requires a key with the `admin` role or higher.
         */
        delete: operations["remove_skill"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/skills/{skill_name}/capabilities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One skill's capabilities.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["skill_capabilities"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/skills/{skill_name}/update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Update an installed skill to the newest version of the registry it came from.
         * @description Requires a key with the `admin` role or higher.
         */
        post: operations["update_skill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/system": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The system's identity, version and uptime.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["system"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everyone who signed in with single sign-on, most recently seen first.
         * @description Requires a key with the `admin` role or higher.
         */
        get: operations["list_users"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Override a user's role (or go back to their groups'), disable or enable them. A disabled
         *     user's sessions end and their personal keys are revoked at once.
         * @description Requires a key with the `admin` role or higher.
         */
        patch: operations["change_user"];
        trace?: never;
    };
    "/api/v1/webhooks/paddle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Receive a Paddle Billing notification: verified, recorded once per event id, answered at
         *     once; the licence it buys is signed and e-mailed after the answer.
         */
        post: operations["paddle"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and readiness: the server is up and its skills are loaded. */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mcp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A 2025 session's notification stream: `notifications/tools/list_changed` when the skills
         *     change. Without a session there is nothing to stream (405), as the 2026-07-28 revision
         *     uses `subscriptions/listen` instead.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["get_mcp"];
        put?: never;
        /**
         * Send MCP messages: one JSON-RPC request or notification (or, for 2025-03-26, a batch).
         * @description Requires a key with the `user` role or higher.
         */
        post: operations["post_mcp"];
        /**
         * End a 2025 session.
         * @description Requires a key with the `user` role or higher.
         */
        delete: operations["delete_mcp"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics in the OpenMetrics text format.
         * @description Requires a key with the `operator` role or higher.
         */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a chat completion through the routing rule named by `model`.
         * @description Requires a key with the `user` role or higher.
         */
        post: operations["completions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Embed texts through the routing rule named by `model`.
         * @description Requires a key with the `user` role or higher.
         */
        post: operations["embeddings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The models this key may use: every routing rule, and for operator and admin keys each
         *     provider pinned as `provider/model`; of those, what the key's scope allows.
         * @description Requires a key with the `user` role or higher.
         */
        get: operations["list_models"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A recorded entry. */
        AdminAuditEntry: {
            /** @description What: `key.created`, `skill.installed`, ... */
            action: string;
            /** @description Who: `key:<id>` or `cli:<login>`. */
            actor: string;
            /** @description The key's name, or the login. */
            actor_name: string;
            /** @description The values after, as JSON text. */
            after: string | null;
            /** @description When (RFC 3339, UTC). */
            at: string;
            /** @description The values before, as JSON text. */
            before: string | null;
            /** @description SHA-256 of this entry's fields and `prev_hash`, hex. */
            hash: string;
            /** @description The previous entry's hash (64 zeros for the first). */
            prev_hash: string;
            /**
             * Format: int64
             * @description Its place in the chain, from 1.
             */
            seq: number;
            /** @description Where from: the client's address, or `cli`. */
            source: string;
            /** @description What it was done to. */
            target: string;
        };
        /** @description A page of the admin audit log, newest first. */
        AdminAuditPage: {
            /** @description The entries. */
            entries: components["schemas"]["AdminAuditEntry"][];
            /**
             * Format: int32
             * @description The page size used.
             */
            limit: number;
            /**
             * Format: int64
             * @description The offset used.
             */
            offset: number;
            /**
             * Format: int64
             * @description How many entries match in all.
             */
            total: number;
        };
        /** @description A page of audit records. */
        AnalyticsPage: {
            /** @description The records, newest first. */
            data: components["schemas"]["AuditRecord"][];
            /**
             * Format: int32
             * @description The page size used.
             */
            limit: number;
            /**
             * Format: int64
             * @description The offset used.
             */
            offset: number;
            /**
             * Format: int64
             * @description Records matching the filters, in all.
             */
            total_matches: number;
        };
        /** @description One attempt at one provider, for the caller and the audit record. */
        Attempt: {
            /**
             * Format: int64
             * @description How long the attempt took, in milliseconds.
             */
            duration_ms: number;
            /** @description What went wrong, for anything but `ok`. */
            error?: string | null;
            /** @description The model asked for. */
            model: string;
            /** @description `ok`, `skipped`, or the failure's kind (`timeout`, `server_error`, ...). */
            outcome: string;
            /** @description The provider. */
            provider: string;
        };
        /**
         * @description An export's format.
         * @enum {string}
         */
        AuditExportFormat: "csv" | "jsonl";
        /** @description An audit record. */
        AuditRecord: {
            /** @description The API key's id (never the key). */
            api_key_id: string | null;
            /** @description The API key's name, as it was when the request was made. */
            api_key_name: string | null;
            /** @description LLM routes: every attempt. */
            attempts: components["schemas"]["Attempt"][] | null;
            /** @description The caller's address. */
            client_addr: string | null;
            /**
             * @description Streamed requests: the text delivered to the caller (capped; masked or absent like
             *     responses).
             */
            delivered: string | null;
            /**
             * Format: int32
             * @description The HTTP status answered.
             */
            http_status: number;
            /**
             * Format: int64
             * @description Row id (0 until stored).
             */
            id: number;
            /**
             * Format: int32
             * @description LLM answers: prompt tokens.
             */
            input_tokens: number | null;
            /** @description What served it. */
            kind: components["schemas"]["TaskKind"];
            /**
             * Format: int64
             * @description Time to answer, in milliseconds.
             */
            latency_ms: number;
            /**
             * Format: int32
             * @description LLM answers: generated tokens (also for a stream that failed or was cancelled).
             */
            output_tokens: number | null;
            /** @description The prompt (capped; masked or absent according to configuration). */
            prompt: string | null;
            /**
             * Format: int64
             * @description Size of the prompt, in bytes.
             */
            prompt_bytes: number;
            /** @description The provider that answered (LLM routes) or `skill:<name>` (skills), as the original. */
            provider: string | null;
            /** @description The request's id. */
            request_id: string;
            /**
             * Format: int64
             * @description Size of the answer body, in bytes.
             */
            response_bytes: number;
            /** @description The answer's result or error detail (capped; masked or absent likewise). */
            response_data: string | null;
            /** @description The skill's version, for skills. */
            skill_version: string | null;
            /** @description `success` or `error`, as the original. */
            status: components["schemas"]["RecordStatus"];
            stream_outcome: components["schemas"]["StreamOutcome"] | null;
            /** @description The task type asked for. */
            task_type: string;
            /**
             * Format: int64
             * @description Streamed requests: time from arrival to the first token, in milliseconds.
             */
            time_to_first_token_ms: number | null;
            /** @description When the request arrived, UTC, RFC 3339 with milliseconds. */
            timestamp: string;
            /** @description Whether the token counts are estimates, because the provider reported none. */
            tokens_estimated?: boolean;
        };
        /** @description `GET /api/v1/analytics/average-latency-per-provider`. */
        AverageLatencyPerProvider: {
            /** @description One entry per provider. */
            data: components["schemas"]["ProviderLatency"][];
        };
        /** @description Whether the chain is intact. */
        ChainState: {
            /** @description Where it breaks, naming the entry. */
            broken: string | null;
            /** @description Entries in the log. */
            entries: number;
            /** @description The newest entry's hash (compare it with the one in the server log). */
            head: string | null;
            /** @description True when every entry links to the one before it and matches its hash. */
            intact: boolean;
        };
        /** @description One message. */
        ChatMessage: {
            /** @description Text, or a list of content parts of which the `text` ones are used. */
            content: Record<string, unknown>;
            /** @description `system`, `developer`, `user` or `assistant`. */
            role: string;
        };
        /** @description A chat completion request. */
        ChatRequest: {
            /** @description The older name of `tools`. */
            functions?: Record<string, unknown>;
            /**
             * Format: int32
             * @description Upper bound on generated tokens (the newer name; wins over `max_tokens`).
             */
            max_completion_tokens?: number | null;
            /**
             * Format: int32
             * @description Upper bound on generated tokens.
             */
            max_tokens?: number | null;
            /**
             * @description The conversation: `system` (or `developer`), `user` and `assistant` messages, the last
             *     one the user's.
             */
            messages: components["schemas"]["ChatMessage"][];
            /** @description A routing rule (`default_llm_tasks`, or any `[routing.rules]` name). */
            model: string;
            /**
             * Format: int32
             * @description Answers wanted; only 1 is supported.
             */
            n?: number | null;
            /** @description Stop sequences: one, or a list of up to four. */
            stop?: Record<string, unknown>;
            /** @description Answer as Server-Sent Events in OpenAI's chunk format. */
            stream?: boolean;
            stream_options?: components["schemas"]["StreamOptions"] | null;
            /**
             * Format: float
             * @description Sampling temperature.
             */
            temperature?: number | null;
            /** @description Tools the model may call: not supported by the providers here. */
            tools?: Record<string, unknown>;
            /** @description The end user, for the caller's own tracking (accepted, not used). */
            user?: string | null;
        };
        /**
         * @description The breaker's state.
         * @enum {string}
         */
        CircuitState: "closed" | "open" | "half_open";
        /** @description A collection of documents. */
        Collection: {
            /** @description When it was created (RFC 3339). */
            created_at: string;
            /** @description What it holds, for people. */
            description: string;
            /**
             * Format: int32
             * @description How many dimensions those vectors have.
             */
            dimension?: number | null;
            /** @description The embedding model its vectors were made with (none: it has no vectors yet). */
            embedding_model?: string | null;
            /**
             * @description The route whose providers embed its passages (none: the server's
             *     `[knowledge] embedding_route`).
             */
            embedding_route?: string | null;
            /** @description Its name: lower-case letters, digits, `_` and `-`. */
            name: string;
        };
        /** @description A collection and what is in it. */
        CollectionStats: components["schemas"]["Collection"] & {
            /**
             * Format: int64
             * @description The documents' size as uploaded, in bytes.
             */
            bytes: number;
            /**
             * Format: int64
             * @description How many chunks they were cut into.
             */
            chunks: number;
            /**
             * Format: int64
             * @description How many documents it holds.
             */
            documents: number;
            embedding?: components["schemas"]["EmbeddingStatus"] | null;
        };
        /** @description Requests in one day, month or year. */
        DateCount: {
            /**
             * Format: int64
             * @description Requests.
             */
            count: number;
            /** @description `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
            date_group: string;
        };
        /** @description A document in a collection. */
        Document: {
            /** @description When it was added or last replaced (RFC 3339). */
            added_at: string;
            /**
             * Format: int64
             * @description Its size as uploaded, in bytes.
             */
            bytes: number;
            /**
             * Format: int64
             * @description How many chunks it was cut into.
             */
            chunks: number;
            /** @description Its date (`YYYY-MM-DD`), to filter by: given at upload, else the day it was added. */
            date: string;
            /** @description Its id in the collection (the file name unless one was given). */
            id: string;
            /** @description What it was read as: `text/plain` or `text/markdown`. */
            media_type: string;
            /** @description SHA-256 of the bytes uploaded (hex): the same bytes again change nothing. */
            sha256: string;
            /** @description Labels to filter by. */
            tags: string[];
            /** @description Its title: the first heading, else the id. */
            title: string;
        };
        /** @description How a collection's passages are searched by meaning. */
        EmbeddingStatus: {
            /**
             * Format: int32
             * @description Their dimension.
             */
            dimension?: number | null;
            /** @description The model the served vectors were made with (none: none made yet). */
            model?: string | null;
            reembedding?: components["schemas"]["Reembedding"] | null;
            /** @description The route whose providers embed. */
            route: string;
            /**
             * Format: int64
             * @description Passages searchable by meaning (while passages are being embedded: the distinct
             *     passage texts embedded so far).
             */
            vectors: number;
        };
        /** @description An embeddings request. */
        EmbeddingsRequest: {
            /** @description `float` (default) or `base64`. */
            encoding_format?: string | null;
            /** @description A text, or a list of texts (token ids are not accepted: send text). */
            input: Record<string, unknown>;
            /** @description A routing rule whose providers offer embeddings. */
            model: string;
            /** @description The end user (accepted, not used). */
            user?: string | null;
        };
        /** @description The body of every error answer. */
        ErrorBody: {
            /** @description What kind of error it is. */
            code: components["schemas"]["ErrorCode"];
            /** @description What went wrong and, where possible, what to do about it. */
            detail: string;
        };
        /**
         * @description What kind of error an answer is, for programs; `detail` says it for people.
         * @enum {string}
         */
        ErrorCode: "bad_request" | "not_authenticated" | "invalid_key" | "role_required" | "forbidden" | "csrf_required" | "not_in_scope" | "not_licensed" | "not_found" | "method_not_allowed" | "conflict" | "payload_too_large" | "validation_failed" | "rate_limited" | "internal" | "bad_gateway" | "incomplete_answer" | "unavailable" | "timeout" | "cancelled";
        /**
         * @description What an export is written as.
         * @enum {string}
         */
        ExportFormat: "csv" | "jsonl";
        /**
         * @description A feature a tier may unlock.
         * @enum {string}
         */
        Feature: "any_providers" | "sso" | "pii_redaction" | "knowledge" | "development_sources" | "custom_roles" | "admin_audit_export";
        /** @description One feature of the tier table, and whether it is unlocked here. */
        FeatureInfo: {
            /** @description Its name. */
            feature: components["schemas"]["Feature"];
            /** @description The lowest tier that includes it. */
            tier: components["schemas"]["Tier"];
            /** @description For people. */
            title: string;
            /** @description Whether it is unlocked now. */
            unlocked: boolean;
        };
        /**
         * @description Why a provider stopped generating.
         * @enum {string}
         */
        FinishReason: "stop" | "max_tokens" | "other";
        /** @description The health answer. */
        Health: {
            /** @description Number of skills loaded. */
            skills: number;
            /** @description Always `ok` when the server answers. */
            status: string;
        };
        /** @description A point-in-time view for the API. */
        HealthSnapshot: {
            /** @description Breaker state. */
            circuit: components["schemas"]["CircuitState"];
            /**
             * Format: int32
             * @description Failures in a row.
             */
            consecutive_failures: number;
            /** @description The most recent failure. */
            last_error: string | null;
            /**
             * Format: int64
             * @description Mean latency of recent successful attempts, in milliseconds.
             */
            latency_avg_ms: number | null;
            /**
             * Format: int64
             * @description Median latency of recent successful attempts, in milliseconds.
             */
            latency_p50_ms: number | null;
            /** @description Attempts in the recent window. */
            recent_attempts: number;
            /**
             * Format: double
             * @description Share of recent attempts that failed, 0 to 1.
             */
            recent_error_rate: number;
        };
        /** @description `[identity]`: the business's name and voice, seen by every skill and LLM prompt. */
        Identity: {
            /**
             * @description The business it serves; empty when unset.
             * @default Default Business
             */
            business_name: string;
            /**
             * @description The business's industry.
             * @default General
             */
            industry: string;
            /**
             * @description Where the business is.
             * @default Unknown
             */
            location: string;
            /**
             * @description How the system should sound.
             * @default Professional and concise
             */
            persona_style: string;
            /**
             * @description How careful to be with data.
             * @default High
             */
            sensitivity_level: components["schemas"]["SensitivityLevel"];
            /**
             * @description The system's own name.
             * @default Praximous-Default
             */
            system_name: string;
        };
        /** @description A licence key to check, or to install. */
        InstallLicense: {
            /** @description Only check it and say what it would do. */
            dry_run?: boolean;
            /** @description The licence key, as sent (`prax-license-v1....`). */
            key: string;
        };
        /** @description What an install did. */
        InstallReport: {
            /**
             * @description False when nothing was written: this exact version was already installed, or it was
             *     a dry run.
             */
            changed: boolean;
            /** @description The skill. */
            name: string;
            /** @description The version it replaced, if any. */
            previous: string | null;
            /** @description Who signed the installed version, when that is someone else. */
            previous_publisher: string | null;
            /** @description The signing publisher's key id, if signed. */
            publisher: string | null;
            /** @description Whether it replaces (or would replace) the built-in skill of the same name. */
            replaces_builtin: boolean;
            /** @description The component's SHA-256: what to name when consenting to a dry run's report. */
            sha256: string;
            /** @description The version now installed. */
            version: string;
            /** @description Permissions the new version gained over the old (accepted). */
            widened: string[];
        };
        /** @description What to install. */
        InstallRequest: {
            /** @description Accept permissions wider than the installed version's. */
            accept_permissions?: boolean;
            /** @description Install even if another publisher signed it than the installed version. */
            accept_publisher_change?: boolean;
            /** @description Allow an older version than the installed one. */
            allow_downgrade?: boolean;
            /** @description Check everything and report what would change, without installing. */
            dry_run?: boolean;
            /** @description Install even if it replaces the built-in skill of the same name. */
            replace_builtin?: boolean;
            /**
             * @description Install only the component with this SHA-256 (the `sha256` a dry run reported), so
             *     consent never covers anything but what was shown.
             */
            sha256?: string | null;
            /** @description `NAME` or `NAME@SEMVER_REQ`, from the configured registry. */
            skill: string;
        };
        /** @description What a licence key is, or did. */
        InstalledLicense: {
            /** @description Whether it was installed (false for a dry run). */
            installed: boolean;
            licence?: components["schemas"]["Payload"] | null;
            /** @description In one sentence. */
            message: string;
            /** @description The state it gives. */
            state: components["schemas"]["LicenseState"];
            /** @description The tier it gives. */
            tier: components["schemas"]["Tier"];
        };
        /** @description A key just made: the secret, shown this once, and its listing. */
        IssuedKey: components["schemas"]["KeyInfo"] & {
            /** @description The key itself. It is not stored and cannot be shown again. */
            key: string;
        };
        /** @description A JSON-RPC error answer, as `/mcp` gives them. */
        JsonRpcErrorBody: {
            /** @description The error: `code`, `message`, and in `data` the HTTP status and Praximous's code. */
            error: Record<string, unknown>;
            /** @description The request's id; null when it could not be read or the request was refused before. */
            id?: Record<string, unknown> | null;
            /** @description `2.0`. */
            jsonrpc: string;
        };
        /** @description A key as listed: everything but the secret, which is never stored. */
        KeyInfo: {
            /** @description When it was made. */
            created_at: string | null;
            /** @description When it stops working. */
            expires_at: string | null;
            /** @description Its id: use it to revoke the key and to filter analytics. */
            id: string;
            /** @description Its name. */
            name: string;
            /** @description The user whose personal key it is; null for a key an admin made. */
            owner: string | null;
            /** @description Its first characters, to recognise it. */
            prefix: string;
            /**
             * Format: int32
             * @description Its own limit per minute (0: unlimited); absent: the server's default.
             */
            rate_limit_per_minute: number | null;
            /** @description When it was revoked. */
            revoked_at: string | null;
            /** @description What it may do. */
            role: components["schemas"]["Role"];
            /** @description The only LLM routes it may use; null: every route. */
            routes: string[] | null;
            /** @description The only skills it may run; null: every skill its role may run. */
            skills: string[] | null;
            /** @description `store` (made with `prax keys create` or the API) or `environment` (PRAXIMOUS_API_KEYS). */
            source: string;
            /** @description `active`, `revoked` or `expired`. */
            state: string;
        };
        /** @description `GET /api/v1/analytics/latency-per-provider`. */
        LatencyPerProvider: {
            /** @description One entry per provider. */
            data: components["schemas"]["ProviderStats"][];
        };
        /** @description The licence as this key may see it. */
        LicenseInfo: {
            /** @description When the licence was first used here, for admins. */
            activated_at?: string | null;
            /** @description When the evaluation ends (or ended), for admins. */
            evaluation_ends?: string | null;
            /** @description Every gated feature with the tier that has it, for admins. */
            features?: components["schemas"]["FeatureInfo"][] | null;
            licence?: components["schemas"]["Payload"] | null;
            /** @description The state in one sentence (the banner's text). */
            message: string;
            /**
             * Format: int32
             * @description Seats allowed (null: unlimited), for admins.
             */
            seats?: number | null;
            /** @description The state: evaluation, unlicensed, valid, expiring, expired. */
            state: components["schemas"]["LicenseState"];
            /** @description The tier in force. */
            tier: components["schemas"]["Tier"];
        };
        /**
         * @description The installation's licence state.
         * @enum {string}
         */
        LicenseState: "evaluation" | "unlicensed" | "valid" | "expiring" | "expired";
        /**
         * @description The `result` of an LLM route: the original's `provider` and `text`, plus the model, why
         *     generation stopped, token counts and every attempt made.
         */
        LlmResult: {
            /** @description Every attempt, in order. */
            attempts: components["schemas"]["Attempt"][];
            /** @description Why generation stopped. */
            finish_reason: components["schemas"]["FinishReason"];
            /** @description The model that answered. */
            model: string;
            /** @description The provider that answered. */
            provider: string;
            /** @description The generated text. */
            text: string;
            /** @description Token counts. */
            usage: components["schemas"]["Usage"];
        };
        /** @description One step of a validation issue's location: a name, or a position. */
        LocPart: string | number;
        /** @description Who the caller is. */
        Me: {
            /**
             * @description A session's CSRF token: send it in `X-CSRF-Token` with every request that changes
             *     something. Null for API keys, which need none.
             */
            csrf_token: string | null;
            /** @description The key's id. */
            key_id: string;
            /** @description The key's name. */
            key_name: string;
            /** @description The key's role. */
            role: components["schemas"]["Role"];
            /** @description The only LLM routes it may use; null: every route. */
            routes: string[] | null;
            /** @description `key` for an API key, `session` for a browser signed in with single sign-on. */
            signed_in_with: components["schemas"]["SignedInWith"];
            /** @description The only skills it may run; null: every skill its role may run. */
            skills: string[] | null;
            user: components["schemas"]["User"] | null;
        };
        /** @description One model: a routing rule. */
        Model: {
            /**
             * Format: int64
             * @description When it was made (routes have no date: 0).
             */
            created: number;
            /** @description The route's name, what `model` takes. */
            id: string;
            /** @description `model`. */
            object: string;
            /** @description `praximous`. */
            owned_by: string;
        };
        /** @description The list. */
        ModelList: {
            /** @description The models. */
            data: components["schemas"]["Model"][];
            /** @description `list`. */
            object: string;
        };
        /** @description `POST /api/v1/knowledge/collections` */
        NewCollection: {
            /** @description What it holds, for people. */
            description?: string;
            /**
             * @description The route (or `provider/model`) whose providers embed its passages, when not the
             *     server's `[knowledge] embedding_route`.
             */
            embedding_route?: string | null;
            /** @description 1-63 lower-case letters, digits, `_` and `-`. */
            name: string;
        };
        /** @description What a new key should be. */
        NewKey: {
            /**
             * Format: int32
             * @description Days until it stops working (1 to 3650); absent: it does not expire.
             */
            expires_in_days?: number | null;
            /** @description What to call it (1 to 100 characters), e.g. who or what uses it. */
            name: string;
            /**
             * Format: int32
             * @description Its request limit per minute (0: unlimited); absent: the server's default.
             */
            rate_limit_per_minute?: number | null;
            /** @description What it may do. */
            role: components["schemas"]["Role"];
            /**
             * @description The only LLM routes it may use (route names, `provider/model`, `provider/*`); absent:
             *     every route.
             */
            routes?: string[] | null;
            /**
             * @description The only skills it may run (`name`, or `name/operation` for one MCP tool); absent:
             *     every skill its role may run.
             */
            skills?: string[] | null;
        };
        /** @description A personal key to make. */
        NewPersonalKey: {
            /**
             * Format: int32
             * @description Days until it stops working (1 to 3650); absent: it lasts as long as you keep your role.
             */
            expires_in_days?: number | null;
            /** @description What to call it (1 to 100 characters), e.g. the script that uses it. */
            name: string;
        };
        /** @description What went wrong. */
        OpenAiError: {
            /** @description For programs: `invalid_api_key`, `model_not_found`, ... or Praximous's own code. */
            code: string | null;
            /** @description For people. */
            message: string;
            /** @description The request field at fault, if one is. */
            param: string | null;
            /**
             * @description `invalid_request_error`, `authentication_error`, `permission_error`, `not_found_error`,
             *     `rate_limit_error` or `server_error`.
             */
            type: string;
        };
        /** @description OpenAI's error body. */
        OpenAiErrorBody: {
            /** @description The error. */
            error: components["schemas"]["OpenAiError"];
        };
        /** @description A passage found. */
        Passage: {
            /** @description The document it is from. */
            document: string;
            /** @description The headings it sits under, outermost first. */
            heading_path: string[];
            /** @description Its rank among the words' hits, from 1 (when they found it). */
            lexical_rank?: number | null;
            /**
             * Format: int64
             * @description The page it starts on, for paged formats.
             */
            page?: number | null;
            /**
             * Format: int64
             * @description Its place in the document, from 0.
             */
            position: number;
            /** @description Its rank in this answer, from 1. */
            rank: number;
            /**
             * Format: float
             * @description How well it matched, higher is better: BM25 in `lexical` answers, cosine similarity in
             *     `vector` ones, the fused reciprocal-rank score in `hybrid` ones.
             */
            score: number;
            /** @description Its text. */
            text: string;
            /** @description That document's title. */
            title: string;
            /** @description Its rank among the meaning's hits, from 1 (when they found it). */
            vector_rank?: number | null;
        };
        /** @description What a licence grants, as signed. */
        Payload: {
            /** @description Whom it was sold to. */
            customer: string;
            /** @description Their contact address. */
            email: string;
            /** @description Features beyond the tier's. */
            features?: components["schemas"]["Feature"][];
            /** @description The licence's id. */
            id: string;
            /** @description When it was issued (RFC 3339). */
            issued_at: string;
            /** @description Which vendor key signed it. */
            key_id: string;
            /** @description Always `praximous`. */
            product: string;
            /**
             * Format: int32
             * @description Seats (active keys and SSO users); `None`: the tier's.
             */
            seats?: number | null;
            /** @description The tier. */
            tier: components["schemas"]["Tier"];
            /** @description When it stops (RFC 3339). */
            valid_until: string;
        };
        /**
         * @description A task request. Fields beyond `task_type` and `prompt` go to the skill as its params.
         * @example {
         *       "num1": 10,
         *       "num2": 5,
         *       "operation": "add",
         *       "prompt": "Calculate 10 + 5",
         *       "task_type": "simple_math"
         *     }
         */
        ProcessRequest: Record<string, unknown> & {
            /** @description The prompt. */
            prompt: string;
            /** @description The skill (or LLM route) to use. */
            task_type: string;
        };
        /** @description A successful answer. */
        ProcessResponse: {
            /** @description The skill's details. */
            details: string | null;
            /** @description The skill's summary message. */
            message: string | null;
            /** @description The request's id, also in the `X-Request-Id` header. */
            request_id: string;
            /** @description The skill's result data. */
            result: Record<string, unknown>;
            /** @description `success`. */
            status: string;
        };
        /** @description Requests served by one provider. */
        ProviderCount: {
            /**
             * Format: int64
             * @description Requests.
             */
            count: number;
            /** @description The provider, or `skill:<name>`. */
            provider_name: string;
        };
        /** @description Mean latency of one provider. */
        ProviderLatency: {
            /**
             * Format: double
             * @description Mean latency, ms.
             */
            average_latency: number;
            /** @description The provider, or `skill:<name>`. */
            provider_name: string;
        };
        /** @description Per-provider summary. */
        ProviderStats: {
            /**
             * Format: double
             * @description Mean latency, ms.
             */
            average_latency: number;
            /**
             * Format: int64
             * @description Requests.
             */
            count: number;
            /**
             * Format: double
             * @description Share of requests that ended in an error.
             */
            error_rate: number;
            /**
             * Format: int64
             * @description Median latency estimate, ms (upper bound of its histogram bucket).
             */
            p50_latency_ms: number | null;
            /**
             * Format: int64
             * @description 95th percentile latency estimate, ms.
             */
            p95_latency_ms: number | null;
            /** @description The provider (as the original names the field). */
            provider_name: string;
        };
        /** @description A provider as `/api/v1/providers` shows it: configuration without secrets, and health. */
        ProviderStatus: {
            /** @description Variable holding the key, if any (never the key). */
            api_key_env: string | null;
            /** @description Usable now: enabled and its variables set. */
            available: boolean;
            /** @description Base URL in use (credentials in it are masked), if resolved. */
            base_url: string | null;
            /** @description Variable holding the base URL, if any. */
            base_url_env: string | null;
            /** @description Enabled in the configuration. */
            enabled: boolean;
            /** @description Breaker and recent outcomes. */
            health: components["schemas"]["HealthSnapshot"];
            /** @description Default model. */
            model: string;
            /** @description Unique name. */
            name: string;
            /**
             * Format: int32
             * @description Order among providers.
             */
            priority: number;
            /**
             * Format: int64
             * @description Per-attempt timeout, ms.
             */
            timeout_ms: number;
            /** @description API spoken. */
            type: string;
            /** @description Why it is not usable, if it is not. */
            unavailable_reason: string | null;
        };
        /** @description The answer. */
        ProvidersBody: {
            /** @description Every configured provider. */
            providers: components["schemas"]["ProviderStatus"][];
            /** @description Route name → provider names, in the order they are tried. */
            routes: {
                [key: string]: string[];
            };
        };
        /**
         * @description What storing a document did.
         * @enum {string}
         */
        PutOutcome: "added" | "replaced" | "unchanged";
        /**
         * @description How a request ended, as the original's records say it.
         * @enum {string}
         */
        RecordStatus: "success" | "error";
        /** @description Progress of a change of embedding model. */
        Reembedding: {
            /**
             * Format: int64
             * @description Distinct passages embedded with it so far.
             */
            done: number;
            /** @description The model the route now names. */
            model: string;
            /**
             * Format: int64
             * @description Distinct passages in the collection.
             */
            total: number;
        };
        /** @description One skill in the registry, and what is installed here. */
        RegistrySkill: {
            /** @description The newest version's description. */
            description: string;
            /** @description The version installed here, if any. */
            installed: string | null;
            /** @description The newest of them. */
            latest: string | null;
            /** @description Its name. */
            name: string;
            /** @description Versions that are not yanked, newest last. */
            versions: string[];
        };
        /** @description `GET /api/v1/analytics/requests-per-provider`. */
        RequestsPerProvider: {
            /** @description One entry per provider. */
            data: components["schemas"]["ProviderCount"][];
        };
        /**
         * @description A key's role, from least to most privileged.
         * @enum {string}
         */
        Role: "user" | "operator" | "admin";
        /**
         * @description The role an admin sets for a user.
         * @enum {string}
         */
        RoleChoice: "admin" | "operator" | "user" | "from_groups";
        /** @description The answer to a search. */
        SearchAnswer: {
            /**
             * @description How the search was made (`lexical` when `hybrid` was asked of a collection without
             *     vectors).
             */
            mode: components["schemas"]["SearchMode"];
            /**
             * @description Why the search was narrower than asked (the question could not be embedded, the
             *     meaning index is being built).
             */
            note?: string | null;
            /** @description The passages, best first. */
            passages: components["schemas"]["Passage"][];
        };
        /** @description Restrictions applied inside the index, before the top passages are cut. */
        SearchFilters: {
            /** @description Only documents dated on or after this day (`YYYY-MM-DD`). */
            date_from?: string | null;
            /** @description Only documents dated on or before this day (`YYYY-MM-DD`). */
            date_to?: string | null;
            /** @description Only these documents (their ids). */
            documents?: string[];
            /** @description Only documents with at least one of these tags. */
            tags?: string[];
        };
        /**
         * @description How to search.
         * @enum {string}
         */
        SearchMode: "hybrid" | "vector" | "lexical";
        /** @description `POST /api/v1/knowledge/collections/{name}/search` */
        SearchRequest: {
            /** @description Restrictions. */
            filters?: components["schemas"]["SearchFilters"];
            /** @description How to search (default `hybrid`). */
            mode?: components["schemas"]["SearchMode"];
            /** @description What to look for, in plain words (no query syntax). */
            query: string;
            /** @description How many passages to return, 1–50 (default 5). */
            top_k?: number;
        };
        /**
         * @description How careful the system is with data: prompts are masked in the audit log at `High`, and
         *     the persona tells the model how to treat personal details.
         * @enum {string}
         */
        SensitivityLevel: "Low" | "Medium" | "High";
        /**
         * @description How the caller signed in.
         * @enum {string}
         */
        SignedInWith: "key" | "session";
        /** @description Where to go after signing out. */
        SignedOut: {
            /**
             * @description The provider's sign-out page, to end the session there too; null when there is none
             *     (or the caller used an API key, which has nothing to sign out of).
             */
            end_session_url: string | null;
        };
        /** @description Requests of one skill. */
        SkillUsage: {
            /**
             * Format: int64
             * @description Requests.
             */
            count: number;
            /** @description The skill. */
            skill: string;
        };
        /** @description Whether the UI offers single sign-on. */
        SsoInfo: {
            /** @description What the sign-in button says. */
            display_name: string | null;
            /** @description Whether `[sso]` is configured and the licence includes it. */
            enabled: boolean;
            /** @description Where the button goes. */
            login_url: string | null;
        };
        /** @description Options of a streamed answer. */
        StreamOptions: {
            /** @description A last chunk with the token counts. */
            include_usage?: boolean;
        };
        /**
         * @description How a streamed answer ended.
         * @enum {string}
         */
        StreamOutcome: "completed" | "failed" | "failed_mid_stream" | "cancelled";
        /** @description `GET /api/v1/analytics/summary`. */
        Summary: {
            /** @description Requests by how they ended (`success`, `error`). */
            by_status: {
                /** Format: int64 */
                success?: number;
                /** Format: int64 */
                error?: number;
            };
            /**
             * Format: double
             * @description `errors / total_requests` (0 with no requests).
             */
            error_rate: number;
            /**
             * Format: int64
             * @description Requests that ended in an error.
             */
            errors: number;
            /**
             * Format: int64
             * @description Median latency estimate, ms (upper bound of its histogram bucket).
             */
            latency_p50_ms: number | null;
            /**
             * Format: int64
             * @description 95th percentile latency estimate, ms.
             */
            latency_p95_ms: number | null;
            /** @description Requests per skill. */
            skill_usage: components["schemas"]["SkillUsage"][];
            /**
             * Format: int64
             * @description Requests in all.
             */
            total_requests: number;
        };
        /** @description The system's description. */
        SystemInfo: {
            /** @description Name derived from the identity, as in logs and the banner. */
            display_name: string;
            /** @description The configured identity. */
            identity: components["schemas"]["Identity"];
            /**
             * Format: int64
             * @description Seconds since the server started.
             */
            uptime_seconds: number;
            /** @description The `prax` version. */
            version: string;
        };
        /** @description One event of a streamed task, the same for SSE and WebSocket callers. */
        TaskEvent: {
            /** @description Also in the audit log. */
            request_id: string;
            /** @enum {string} */
            type: "start";
        } | {
            /**
             * Format: int64
             * @description Its place: 0 for the first delta, then 1, 2, ...
             */
            index: number;
            /** @description The text. */
            text: string;
            /** @enum {string} */
            type: "delta";
        } | (components["schemas"]["ProcessResponse"] & {
            /** @enum {string} */
            type: "result";
        }) | {
            /** @description What kind of failure, for programs. */
            code: components["schemas"]["ErrorCode"];
            /** @description The text delivered before the failure: not the whole answer. */
            delivered: string;
            /** @description What went wrong and what to do. */
            detail: string;
            /**
             * Format: int32
             * @description The HTTP status a whole answer would have had.
             */
            status: number;
            /** @enum {string} */
            type: "error";
        };
        /**
         * @description What served the request.
         * @enum {string}
         */
        TaskKind: "skill" | "llm" | "openai" | "mcp" | "knowledge" | "unknown";
        /** @description `GET /api/v1/analytics/tasks-over-time`. */
        TasksOverTime: {
            /** @description One entry per period with requests, oldest first. */
            data: components["schemas"]["DateCount"][];
        };
        /**
         * @description A licence tier, from the free one up.
         * @enum {string}
         */
        Tier: "standard" | "team" | "pro" | "enterprise";
        /**
         * @description Granularity of `tasks-over-time`.
         * @enum {string}
         */
        TimeBucket: "day" | "month" | "year";
        /** @description Options for an update. */
        UpdateRequest: {
            /** @description Accept permissions wider than the installed version's. */
            accept_permissions?: boolean;
            /** @description Accept a version signed by another publisher than the installed one. */
            accept_publisher_change?: boolean;
            /** @description Report what would change, without installing. */
            dry_run?: boolean;
            /** @description Install only the component with this SHA-256 (the one a dry run reported). */
            sha256?: string | null;
            /**
             * @description Update to exactly this version (the one a dry run reported, build metadata included),
             *     so that accepting its permissions never accepts those of a version published since;
             *     the newest otherwise.
             */
            version?: string | null;
        };
        /** @description The answer to an upload. */
        UploadAnswer: {
            /** @description Each file, in the order sent. */
            documents: components["schemas"]["Uploaded"][];
        };
        /** @description The form of an upload (`multipart/form-data`). */
        UploadForm: {
            /** @description Every file's date, `YYYY-MM-DD` (default: today). */
            date?: string | null;
            /**
             * @description One or more files: plain text (`.txt`), Markdown (`.md`), HTML (`.html`) or PDF with a
             *     text layer (`.pdf`), by their type or name, each within `[knowledge] max_document_mb`,
             *     at most 20.
             */
            file: string[];
            /** @description The document's id, for a single file (default: the file's name). */
            id?: string | null;
            /** @description Tags for every file, separated by commas. */
            tags?: string | null;
            /** @description Its title, for a single file (default: its first heading, else its id). */
            title?: string | null;
        };
        /** @description What an upload did to one file. */
        Uploaded: {
            /**
             * Format: int64
             * @description How many passages it was cut into.
             */
            chunks: number;
            /** @description The document's id. */
            id: string;
            /** @description Added, replaced, or unchanged (the same bytes were there). */
            outcome: components["schemas"]["PutOutcome"];
        };
        /** @description Token counts, when the provider reports them. */
        Usage: {
            /**
             * Format: int32
             * @description Prompt tokens.
             */
            input_tokens: number | null;
            /**
             * Format: int32
             * @description Generated tokens.
             */
            output_tokens: number | null;
        };
        /** @description A person who signed in with the provider. */
        User: {
            /** @description Their first sign-in. */
            created_at: string;
            /** @description When an admin disabled them, if one did. */
            disabled_at: string | null;
            /** @description Who disabled them. */
            disabled_by: string | null;
            /** @description Their e-mail address, as the provider gave it. */
            email: string | null;
            /** @description Their groups at the last sign-in. */
            groups: string[];
            /** @description Our id for them. */
            id: string;
            /** @description The provider that vouched for them (the token's `iss`). */
            issuer: string;
            /** @description Their last sign-in or request. */
            last_seen_at: string;
            mapped_role: components["schemas"]["Role"] | null;
            /** @description Their name, as the provider gave it. */
            name: string | null;
            role: components["schemas"]["Role"] | null;
            /** @description When they got that role (RFC 3339). */
            role_granted_at: string | null;
            /** @description Who gave it: `sso:groups`, `sso:default_role`, or the admin (`key:<id>`, `user:<id>`). */
            role_granted_by: string | null;
            role_override: components["schemas"]["Role"] | null;
            /** @description Their id at the provider (`sub`). */
            subject: string;
        };
        /** @description An admin's change to a user; absent fields stay as they are. */
        UserChange: {
            /** @description Disable (their sessions end and personal keys are revoked at once) or enable. */
            disabled?: boolean | null;
            role?: components["schemas"]["RoleChoice"] | null;
        };
        /** @description The body of a 422 answer. */
        ValidationErrorBody: {
            /** @description Always `validation_failed`. */
            code: components["schemas"]["ErrorCode"];
            /** @description Every problem found. */
            detail: components["schemas"]["ValidationIssue"][];
        };
        /** @description One problem with a request body, as FastAPI/pydantic report it. */
        ValidationIssue: {
            /** @description Extra context, for some kinds. */
            ctx?: unknown;
            /** @description The offending input, whatever JSON it was. */
            input: unknown;
            /** @description Where: `["body", "<field>"]`, `["query", "<name>"]`, `["body", <byte offset>]`. */
            loc: components["schemas"]["LocPart"][];
            /** @description Human-readable message. */
            msg: string;
            /** @description Machine-readable kind (`missing`, `string_type`, `json_invalid`, ...). */
            type: string;
        };
        /** @description What became of a notification. */
        WebhookAnswer: {
            /** @description In a sentence. */
            detail: string;
            /** @description Paddle's event id. */
            event_id: string;
            /** @description Its event type. */
            event_type: string;
            /**
             * @description `recorded`, `duplicate` (received before: nothing done again) or `ignored` (an event
             *     type or price Praximous does not act on).
             */
            status: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    admin_audit_list: {
        parameters: {
            query?: {
                /** @description Only this action, or those starting with it when it ends in `.` (`key.`). */
                action?: string | null;
                /** @description Only this actor (`key:<id>`, `cli:<login>`). */
                actor?: string | null;
                /** @description From this time on (RFC 3339). */
                since?: string | null;
                /** @description Before this time (RFC 3339). */
                until?: string | null;
                /** @description Entries per page (1..=500, default 50). */
                limit?: number | null;
                /** @description Entries to skip (newest first). */
                offset?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAuditPage"];
                };
            };
            /** @description A parameter is not of its type, or out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_audit_export: {
        parameters: {
            query?: {
                /** @description `csv` (default) or `jsonl`. */
                format?: components["schemas"]["AuditExportFormat"] | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every entry, oldest first: CSV (`format=csv`) or JSON Lines (`format=jsonl`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            /** @description Unknown format */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include the export (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_audit_verify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Whether the chain is intact, and where not */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChainState"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list: {
        parameters: {
            query?: {
                /** @description Only this task type. */
                task_type?: string | null;
                /** @description Only this provider (or `skill:<name>`). */
                provider?: string | null;
                /** @description `success` or `error`. */
                status?: components["schemas"]["RecordStatus"] | null;
                /** @description Only requests made with this API key id. */
                api_key_id?: string | null;
                /** @description `skill`, `llm` (through `/api/v1/process`), `openai` (through `/v1/`), `mcp` (tools called through `/mcp`), `knowledge` (searches of a collection) or `unknown`. */
                kind?: components["schemas"]["TaskKind"] | null;
                /** @description From this day (UTC). */
                start_date?: string | null;
                /** @description Up to and including this day (UTC). */
                end_date?: string | null;
                /** @description Records per page (default 50) */
                limit?: number;
                /** @description Records to skip (default 0) */
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of records */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnalyticsPage"];
                };
            };
            /** @description A filter value is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description limit or offset out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidationErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    average_latency_per_provider: {
        parameters: {
            query?: {
                /** @description Only this task type. */
                task_type?: string | null;
                /** @description Only this provider (or `skill:<name>`). */
                provider?: string | null;
                /** @description `success` or `error`. */
                status?: components["schemas"]["RecordStatus"] | null;
                /** @description Only requests made with this API key id. */
                api_key_id?: string | null;
                /** @description `skill`, `llm` (through `/api/v1/process`), `openai` (through `/v1/`), `mcp` (tools called through `/mcp`), `knowledge` (searches of a collection) or `unknown`. */
                kind?: components["schemas"]["TaskKind"] | null;
                /** @description From this day (UTC). */
                start_date?: string | null;
                /** @description Up to and including this day (UTC). */
                end_date?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Mean latency per provider */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AverageLatencyPerProvider"];
                };
            };
            /** @description A filter value is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    export: {
        parameters: {
            query?: {
                /** @description Only this task type. */
                task_type?: string | null;
                /** @description Only this provider (or `skill:<name>`). */
                provider?: string | null;
                /** @description `success` or `error`. */
                status?: components["schemas"]["RecordStatus"] | null;
                /** @description Only requests made with this API key id. */
                api_key_id?: string | null;
                /** @description `skill`, `llm` (through `/api/v1/process`), `openai` (through `/v1/`), `mcp` (tools called through `/mcp`), `knowledge` (searches of a collection) or `unknown`. */
                kind?: components["schemas"]["TaskKind"] | null;
                /** @description From this day (UTC). */
                start_date?: string | null;
                /** @description Up to and including this day (UTC). */
                end_date?: string | null;
                /** @description `csv` or `jsonl` (default jsonl) */
                format?: components["schemas"]["ExportFormat"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description CSV (`format=csv`) or JSON Lines (`format=jsonl`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                    "application/x-ndjson": string;
                };
            };
            /** @description Unknown format or malformed filter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    latency_per_provider: {
        parameters: {
            query?: {
                /** @description Only this task type. */
                task_type?: string | null;
                /** @description Only this provider (or `skill:<name>`). */
                provider?: string | null;
                /** @description `success` or `error`. */
                status?: components["schemas"]["RecordStatus"] | null;
                /** @description Only requests made with this API key id. */
                api_key_id?: string | null;
                /** @description `skill`, `llm` (through `/api/v1/process`), `openai` (through `/v1/`), `mcp` (tools called through `/mcp`), `knowledge` (searches of a collection) or `unknown`. */
                kind?: components["schemas"]["TaskKind"] | null;
                /** @description From this day (UTC). */
                start_date?: string | null;
                /** @description Up to and including this day (UTC). */
                end_date?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Per-provider statistics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LatencyPerProvider"];
                };
            };
            /** @description A filter value is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_per_provider: {
        parameters: {
            query?: {
                /** @description Only this task type. */
                task_type?: string | null;
                /** @description Only this provider (or `skill:<name>`). */
                provider?: string | null;
                /** @description `success` or `error`. */
                status?: components["schemas"]["RecordStatus"] | null;
                /** @description Only requests made with this API key id. */
                api_key_id?: string | null;
                /** @description `skill`, `llm` (through `/api/v1/process`), `openai` (through `/v1/`), `mcp` (tools called through `/mcp`), `knowledge` (searches of a collection) or `unknown`. */
                kind?: components["schemas"]["TaskKind"] | null;
                /** @description From this day (UTC). */
                start_date?: string | null;
                /** @description Up to and including this day (UTC). */
                end_date?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Requests per provider */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestsPerProvider"];
                };
            };
            /** @description A filter value is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    summary: {
        parameters: {
            query?: {
                /** @description Only this task type. */
                task_type?: string | null;
                /** @description Only this provider (or `skill:<name>`). */
                provider?: string | null;
                /** @description `success` or `error`. */
                status?: components["schemas"]["RecordStatus"] | null;
                /** @description Only requests made with this API key id. */
                api_key_id?: string | null;
                /** @description `skill`, `llm` (through `/api/v1/process`), `openai` (through `/v1/`), `mcp` (tools called through `/mcp`), `knowledge` (searches of a collection) or `unknown`. */
                kind?: components["schemas"]["TaskKind"] | null;
                /** @description From this day (UTC). */
                start_date?: string | null;
                /** @description Up to and including this day (UTC). */
                end_date?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Totals and breakdowns */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Summary"];
                };
            };
            /** @description A filter value is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tasks_over_time: {
        parameters: {
            query?: {
                /** @description Only this task type. */
                task_type?: string | null;
                /** @description Only this provider (or `skill:<name>`). */
                provider?: string | null;
                /** @description `success` or `error`. */
                status?: components["schemas"]["RecordStatus"] | null;
                /** @description Only requests made with this API key id. */
                api_key_id?: string | null;
                /** @description `skill`, `llm` (through `/api/v1/process`), `openai` (through `/v1/`), `mcp` (tools called through `/mcp`), `knowledge` (searches of a collection) or `unknown`. */
                kind?: components["schemas"]["TaskKind"] | null;
                /** @description From this day (UTC). */
                start_date?: string | null;
                /** @description Up to and including this day (UTC). */
                end_date?: string | null;
                /** @description Period of each entry (default day) */
                granularity?: components["schemas"]["TimeBucket"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Requests per period */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TasksOverTime"];
                };
            };
            /** @description Invalid granularity or date */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The request's id */
                request_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The record */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditRecord"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No record for that id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The calling key or signed-in user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_my_keys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your personal keys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyInfo"][];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in with single sign-on */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    create_my_key: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewPersonalKey"];
            };
        };
        responses: {
            /** @description The new key, with its secret shown this once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedKey"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in with single sign-on */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not a valid key request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    revoke_my_key: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The key's id */
                key_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The revoked key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyInfo"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in with single sign-on */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description You have no key with this id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sign_out: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedOut"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sso_info: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Whether the sign-in page offers single sign-on */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SsoInfo"];
                };
            };
        };
    };
    sso_callback: {
        parameters: {
            query?: {
                /** @description The authorization code. */
                code?: string;
                /** @description The state this server sent. */
                state?: string;
                /** @description The provider's error code, when the sign-in failed there. */
                error?: string;
                /** @description The provider's description of that error. */
                error_description?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Into the UI with a session cookie; or to /signin with `sso_error` saying why not */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Single sign-on is not configured */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sso_login: {
        parameters: {
            query?: {
                /** @description A path of the UI (`/analytics`); anything else lands on `/`. */
                return_to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the provider's sign-in page; or back to /signin with `sso_error` when it cannot be reached or the licence does not include SSO */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Single sign-on is not configured */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_keys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyInfo"][];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    create_key: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewKey"];
            };
        };
        responses: {
            /** @description The new key, with its secret shown this once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedKey"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every seat of the licence is in use (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not a valid key request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    revoke_key: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The key's id or unique prefix */
                key_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The revoked key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyInfo"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description An environment key, or a prefix shared by several keys */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_collections: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every collection, by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectionStats"][];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include Knowledge (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    create_collection: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewCollection"];
            };
        };
        responses: {
            /** @description Made */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectionStats"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include Knowledge (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body or the name is not acceptable */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_collection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The collection */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The collection and how much it holds */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectionStats"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include Knowledge (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such collection */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    delete_collection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The collection */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include Knowledge (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such collection */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_documents: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The collection */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Its documents, by id */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Document"][];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include Knowledge (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such collection */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    upload_documents: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The collection */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["UploadForm"];
            };
        };
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadAnswer"];
                };
            };
            /** @description The body is not multipart/form-data */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include Knowledge (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such collection */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A file is over `[knowledge] max_document_mb` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A file is not plain text, Markdown, HTML or PDF */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A file cannot be read (not UTF-8, binary, empty; an encrypted, scanned or broken PDF) or a field is not acceptable; the message names the file */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The passages could not be embedded (the collection is searched by meaning): nothing was stored */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    delete_document: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The collection */
                name: string;
                /** @description The document */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include Knowledge (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such collection or document */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    search_collection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The collection */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SearchRequest"];
            };
        };
        responses: {
            /** @description The passages, best first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchAnswer"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The licence does not include Knowledge (code `not_licensed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such collection */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `vector` mode asked of a collection without vectors */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not a valid search */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `vector` mode while the meaning index is being built, or the question could not be embedded */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    license: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The licence in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LicenseInfo"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    install_license: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InstallLicense"];
            };
        };
        responses: {
            /** @description What the key gives (installed unless a dry run) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstalledLicense"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key comes from the environment, which a file cannot override */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is malformed, tampered, foreign or for another product */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    process: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProcessRequest"];
            };
        };
        responses: {
            /** @description The skill's (or route's) result; or, when the request has `Accept: text/event-stream` or `"stream": true`, Server-Sent Events: `start`, `delta`s, then one `result` or `error`, each event's data a TaskEvent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProcessResponse"];
                    "text/event-stream": components["schemas"]["TaskEvent"];
                };
            };
            /** @description A provider refused the content (LLM routes) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The skill needed a capability it is not granted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No skill or LLM route of that name */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not a valid task request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidationErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The skill crashed, ran out of memory or returned bad data */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Every LLM provider failed (each attempt listed), or every skill slot is busy */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The skill ran past its time limit */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_providers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Providers and routes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProvidersBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    browse: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The registry's skills */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegistrySkill"][];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No registry is configured */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The registry could not be read */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_skills: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Capabilities of every loaded skill the key may use, by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    install_skill: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InstallRequest"];
            };
        };
        responses: {
            /** @description Installed (or, with dry_run, what would change) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstallReport"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such skill or version in the registry */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description A downgrade, or wider permissions not accepted; or no registry configured */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signature, digest or WIT version check failed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The registry could not be read */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    remove_skill: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The skill */
                skill_name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not installed (built-ins cannot be removed) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    skill_capabilities: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The skill's name */
                skill_name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The skill's capabilities */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key may not use this skill */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such skill */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    update_skill: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The skill */
                skill_name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateRequest"];
            };
        };
        responses: {
            /** @description Updated (or already the newest) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstallReport"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The requested version is not in the registry */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Wider permissions not accepted, or an older version */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `version` is not an exact version */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    system: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Identity, version and uptime */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SystemInfo"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_users: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"][];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    change_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserChange"];
            };
        };
        responses: {
            /** @description The user as now recorded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such user, or single sign-on is not configured */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is not a valid change */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    paddle: {
        parameters: {
            query?: never;
            header: {
                /** @description ts=<unix seconds>;h1=<HMAC-SHA256 hex> */
                "Paddle-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        /** @description The notification, exactly as Paddle sent it */
        requestBody: {
            content: {
                "application/json": string;
            };
        };
        responses: {
            /** @description Recorded, received before, or ignored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAnswer"];
                };
            };
            /** @description Not a notification that can be read; nothing was stored */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The signature is missing, does not match, or is too old */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description This server does not provision licences (no [commerce]) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The store is unavailable; Paddle retries */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The server is serving */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    get_mcp: {
        parameters: {
            query?: never;
            header?: {
                /** @description The session, as `initialize` answered it */
                "mcp-session-id"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An event stream of the session's notifications */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": unknown;
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
            /** @description The session ended or never existed */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description No session: nothing to stream */
            405: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
        };
    };
    post_mcp: {
        parameters: {
            query?: never;
            header?: {
                /** @description The session (2025 revisions), as `initialize` answered it */
                "mcp-session-id"?: string | null;
                /** @description The protocol revision of the request */
                "mcp-protocol-version"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        /** @description A JSON-RPC 2.0 message of the Model Context Protocol (an array of them: a 2025-03-26 batch) */
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            /** @description The JSON-RPC answer (an array of answers for a batch; for `subscriptions/listen`, an event stream of notifications) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description A notification was accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not JSON-RPC, or a revision this server does not speak */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
            /** @description The session ended or never existed */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
        };
    };
    delete_mcp: {
        parameters: {
            query?: never;
            header: {
                /** @description The session to end */
                "mcp-session-id": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session ended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No session id was sent */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
            /** @description No such session */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JsonRpcErrorBody"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenMetrics text */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/openmetrics-text": string;
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    completions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChatRequest"];
            };
        };
        responses: {
            /** @description A `chat.completion`; or, with `stream: true`, Server-Sent Events of `chat.completion.chunk`s ending with `data: [DONE]` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                    "text/event-stream": string;
                };
            };
            /** @description The request cannot be served as asked */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description No routing rule of that name (`model_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description The body is not a chat completion request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description Every provider on the route failed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
        };
    };
    embeddings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmbeddingsRequest"];
            };
        };
        responses: {
            /** @description The vectors, in input order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description The input cannot be embedded as sent, or no provider on the route embeds */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description No routing rule of that name (`model_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description Every provider able to embed failed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
        };
    };
    list_models: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The routing rules, as models */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description No API key was sent */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description The key is not valid, or its role is too low */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description The key is over its rate limit; see `Retry-After` */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
            /** @description Failure */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiErrorBody"];
                };
            };
        };
    };
}
