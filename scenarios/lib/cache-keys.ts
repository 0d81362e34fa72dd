/**
 * The cache keys the scripts' reads touch, as docs/cache-keys.md describes
 * them, mirrored here because scenarios import nothing outside scenarios/
 * (test/cache-model.test.ts keeps this copy equal to schema/description.ts
 * and the TTL policy defaults of config/schema.ts).
 *
 * For each key pattern: its TTL policy (data type), and how a response shows
 * that the row behind it changed (its version, or the time it last changed),
 * so a VU can tell a write it did not make.
 */
/** The TTL policy data types (ARCHITECTURE.md "TTL (s)"). */
export type CacheDataType =
  | 'sessions'
  | 'authTokens'
  | 'policyDecisions'
  | 'governanceRules'
  | 'staticConfig'
  | 'apiResponses'
  | 'complianceChecks'
  | 'synthesisResults';

/** The TTL policy table: seconds per data type (the report's, and config/schema.ts's defaults). */
export const TTL_POLICY_SECONDS: Readonly<Record<CacheDataType, number>> = {
  sessions: 1800,
  authTokens: 3600,
  policyDecisions: 300,
  governanceRules: 3600,
  staticConfig: 86400,
  apiResponses: 600,
  complianceChecks: 900,
  synthesisResults: 1200,
};

/** Key patterns (after the prefix), as in docs/cache-keys.md. */
export type KeyPattern =
  | 'principle:{id}'
  | 'session:{id}'
  | 'token:{id}'
  | 'decision:{id}'
  | 'compliance:{id}'
  | 'synthesis:{id}'
  | 'config:{id}'
  | 'policy:{id}'
  | 'api:tally:{id}'
  | 'api:compliance-report:{id}';

/** Each pattern's TTL policy and root table (the row whose version the entry carries). */
export const KEY_PATTERNS: Readonly<Record<KeyPattern, { dataType: CacheDataType; table: string }>> = {
  'principle:{id}': { dataType: 'governanceRules', table: 'principles' },
  'session:{id}': { dataType: 'sessions', table: 'user_sessions' },
  'token:{id}': { dataType: 'authTokens', table: 'auth_tokens' },
  'decision:{id}': { dataType: 'policyDecisions', table: 'policy_decisions' },
  'compliance:{id}': { dataType: 'complianceChecks', table: 'compliance_checks' },
  'synthesis:{id}': { dataType: 'synthesisResults', table: 'synthesis_results' },
  'config:{id}': { dataType: 'staticConfig', table: 'static_config' },
  'policy:{id}': { dataType: 'governanceRules', table: 'policies' },
  'api:tally:{id}': { dataType: 'apiResponses', table: 'amendments' },
  'api:compliance-report:{id}': { dataType: 'apiResponses', table: 'policies' },
};

/** One key a request reads or writes: its pattern and id. */
export interface KeyRef {
  pattern: KeyPattern;
  id: string | number;
}

/** The key's text after the prefix: `policy:7`. */
export function keyText(k: KeyRef): string {
  return k.pattern.replace('{id}', String(k.id));
}

/**
 * Keys whose entry a change of the same root row deletes too: a policy update
 * deletes `policy:{id}` and `api:compliance-report:{id}` (docs/cache-keys.md
 * "Invalidation"), so a VU that sees a policy's version move knows the report
 * is gone as well.
 */
export function siblingsOf(k: KeyRef): KeyRef[] {
  if (k.pattern === 'policy:{id}') return [{ pattern: 'api:compliance-report:{id}', id: k.id }];
  return [];
}

/** What a response shows about the row behind a key. */
export interface Seen {
  /** The root row's version, or another number that every invalidating write moves. */
  version?: number;
  /** When the row last changed, as the row says (ISO-8601). */
  changedAt?: string;
}

function num(v: unknown): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== null && v !== '' && Number.isFinite(n) ? n : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * What the JSON answer of a read shows about its row. Entity reads answer the
 * row (`version`, `updated_at`); a policy answers `{policy: row, ...}`. A
 * compliance report has no version of its own: its check count moves with
 * every new check (which deletes it), and its newest check's time is when it
 * last changed. A tally shows nothing: a vote rewrites it in place (never
 * deletes it), so another VU's vote is no reason for a miss.
 */
export function seenIn(pattern: KeyPattern, json: Record<string, unknown> | undefined): Seen {
  if (!json) return {};
  if (pattern === 'api:tally:{id}') return {};
  if (pattern === 'api:compliance-report:{id}') {
    const recent = Array.isArray(json.recent) ? (json.recent as Array<Record<string, unknown>>) : [];
    let newest: string | undefined;
    for (const r of recent) {
      const t = text(r?.createdAt);
      if (t && (newest === undefined || Date.parse(t) > Date.parse(newest))) newest = t;
    }
    return { version: num(json.checks), changedAt: newest };
  }
  const row = (pattern === 'policy:{id}' ? json.policy : json) as Record<string, unknown> | undefined;
  if (typeof row !== 'object' || row === null) return {};
  return { version: num(row.version), changedAt: text(row.updated_at) ?? text(row.created_at) };
}

/**
 * Parses CACHE_TTL_SECONDS: JSON `{"policyDecisions": 300, ...}` over the
 * policy table; missing types keep the policy's seconds. The run passes the
 * configuration's cache.ttlSeconds (the shortest TTL the policy allows, when
 * adaptive TTLs are on), so a profile's own TTLs are the model's too.
 */
export function parseCacheTtls(raw: string | undefined): Record<CacheDataType, number> {
  const out = { ...TTL_POLICY_SECONDS };
  if (raw === undefined || raw === '') return out;
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    o = undefined;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new Error(`CACHE_TTL_SECONDS must be a JSON object like {"policyDecisions":300}, got '${raw}'`);
  for (const [k, v] of Object.entries(o)) {
    if (!(k in out)) throw new Error(`CACHE_TTL_SECONDS.${k} is not a TTL policy; use ${Object.keys(out).join(', ')}`);
    const n = Number(v);
    if (typeof v !== 'number' || !(n > 0)) throw new Error(`CACHE_TTL_SECONDS.${k} must be seconds > 0, got '${v}'`);
    out[k as CacheDataType] = n;
  }
  return out;
}
