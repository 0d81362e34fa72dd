/**
 * The written description of the governance schema and the cache key scheme,
 * as data. The target, the seeder and the checkers all read this description;
 * none of them share code about it (docs/cache-keys.md is the prose form).
 *
 * A user aiming the checkers at another deployment writes the same shape as a
 * JSON file (see checks/).
 */
import type { CacheDataType } from '../config/index.ts';

/** Column types as the checkers decode them (docs/cache-keys.md, "Column encoding"). */
export type ColumnType = 'bigint' | 'integer' | 'numeric' | 'timestamptz' | 'boolean' | 'jsonb' | 'text' | 'inet';

export interface TableDescription {
  name: string;
  /** Primary key column(s). */
  key: string[];
  columns: Record<string, { type: ColumnType; nullable?: boolean }>;
  /** Mutable rows carry version + updated_at. */
  versioned: boolean;
}

/** A reference no constraint enforces; the referential-integrity checker verifies it. */
export interface UnenforcedReference {
  name: string;
  table: string;
  /** `jsonb-array`: the column holds a JSON array of ids. `column`: plain column. */
  kind: 'jsonb-array' | 'column';
  column: string;
  references: { table: string; column: string };
  /** Only rows matching this SQL predicate carry the reference (e.g. audit entity_type). */
  where?: string;
}

export interface CacheFamily {
  /** Key after the prefix, with `{id}` for the row key: `principle:{id}`. */
  pattern: string;
  dataType: CacheDataType;
  /** `entity`: value.row is one row. `derived`: value.data is computed from several rows. */
  kind: 'entity' | 'derived';
  /** The row whose version the entry carries. */
  table: string;
  keyColumn: string;
}

export const SCHEMA_VERSION = 1;

const ts = { type: 'timestamptz' } as const;
const big = { type: 'bigint' } as const;
const int = { type: 'integer' } as const;
const txt = { type: 'text' } as const;
const bool = { type: 'boolean' } as const;
const json = { type: 'jsonb' } as const;
const num = { type: 'numeric' } as const;
const optTxt = { type: 'text', nullable: true } as const;
const runCols = { run_id: optTxt, client_request_id: optTxt };
const versionCols = { updated_at: ts, version: int };

export const TABLES: TableDescription[] = [
  {
    name: 'users',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      username: txt,
      email: txt,
      display_name: txt,
      role: txt,
      is_active: bool,
      created_at: ts,
      ...versionCols,
    },
  },
  {
    name: 'user_sessions',
    key: ['id'],
    versioned: true,
    columns: {
      id: txt,
      user_id: big,
      user_agent: txt,
      ip_address: { type: 'inet' },
      created_at: ts,
      expires_at: ts,
      revoked: bool,
      ...versionCols,
      ...runCols,
    },
  },
  {
    name: 'auth_tokens',
    key: ['id'],
    versioned: true,
    columns: {
      id: txt,
      user_id: big,
      session_id: txt,
      scopes: json,
      issued_at: ts,
      expires_at: ts,
      revoked: bool,
      ...versionCols,
    },
  },
  {
    name: 'principles',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      code: txt,
      title: txt,
      body: txt,
      category: txt,
      priority: int,
      weight: num,
      is_active: bool,
      created_at: ts,
      ...versionCols,
    },
  },
  {
    name: 'policy_templates',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      name: txt,
      description: txt,
      category: txt,
      default_rules: json,
      created_at: ts,
      ...versionCols,
    },
  },
  {
    name: 'policies',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      template_id: big,
      owner_id: big,
      name: txt,
      description: txt,
      status: txt,
      enforcement_level: txt,
      created_at: ts,
      ...versionCols,
    },
  },
  {
    name: 'policy_updates',
    key: ['id'],
    versioned: false,
    columns: {
      id: big,
      policy_id: big,
      updated_by: big,
      from_version: int,
      to_version: int,
      changes: json,
      created_at: ts,
      ...runCols,
    },
  },
  {
    name: 'policy_principles',
    key: ['policy_id', 'principle_id'],
    versioned: false,
    columns: { policy_id: big, principle_id: big, relevance: num },
  },
  {
    name: 'policy_rules',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      policy_id: big,
      rule_order: int,
      name: txt,
      condition: json,
      effect: txt,
      source_principle_ids: json,
      created_at: ts,
      ...versionCols,
    },
  },
  {
    name: 'amendments',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      principle_id: big,
      proposer_id: big,
      title: txt,
      rationale: txt,
      status: txt,
      votes_for: int,
      votes_against: int,
      votes_abstain: int,
      opens_at: ts,
      closes_at: ts,
      created_at: ts,
      ...versionCols,
    },
  },
  {
    name: 'amendment_votes',
    key: ['id'],
    versioned: false,
    columns: { id: big, amendment_id: big, voter_id: big, choice: txt, created_at: ts, ...runCols },
  },
  {
    name: 'amendment_comments',
    key: ['id'],
    versioned: true,
    columns: { id: big, amendment_id: big, author_id: big, body: txt, created_at: ts, ...versionCols },
  },
  {
    name: 'policy_decisions',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      policy_id: big,
      subject_id: big,
      action: txt,
      resource: txt,
      decision: txt,
      reasons: json,
      evaluated_rules: int,
      created_at: ts,
      ...versionCols,
      ...runCols,
    },
  },
  {
    name: 'compliance_checks',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      policy_id: big,
      checked_by: big,
      status: txt,
      score: num,
      findings: json,
      created_at: ts,
      ...versionCols,
      ...runCols,
    },
  },
  {
    name: 'synthesis_results',
    key: ['id'],
    versioned: true,
    columns: {
      id: big,
      policy_id: big,
      requested_by: big,
      principle_ids: json,
      input_hash: txt,
      output: json,
      model: txt,
      confidence: num,
      created_at: ts,
      ...versionCols,
      ...runCols,
    },
  },
  {
    name: 'audit_log',
    key: ['id'],
    versioned: false,
    columns: {
      id: big,
      occurred_at: ts,
      actor_id: big,
      action: txt,
      entity_type: txt,
      entity_id: big,
      details: json,
      ...runCols,
    },
  },
  {
    name: 'static_config',
    key: ['key'],
    versioned: true,
    columns: { key: txt, value: json, description: txt, ...versionCols },
  },
];

/** audit_log.entity_type -> the table its entity_id points at. */
export const AUDIT_ENTITY_TABLES: Record<string, string> = {
  principle: 'principles',
  policy: 'policies',
  amendment: 'amendments',
  policy_decision: 'policy_decisions',
  compliance_check: 'compliance_checks',
  synthesis_result: 'synthesis_results',
  user: 'users',
};

export const UNENFORCED_REFERENCES: UnenforcedReference[] = [
  {
    name: 'policy_rules.source_principle_ids',
    table: 'policy_rules',
    kind: 'jsonb-array',
    column: 'source_principle_ids',
    references: { table: 'principles', column: 'id' },
  },
  {
    name: 'synthesis_results.principle_ids',
    table: 'synthesis_results',
    kind: 'jsonb-array',
    column: 'principle_ids',
    references: { table: 'principles', column: 'id' },
  },
  ...Object.entries(AUDIT_ENTITY_TABLES).map(([entityType, table]) => ({
    name: `audit_log.entity_id[${entityType}]`,
    table: 'audit_log',
    kind: 'column' as const,
    column: 'entity_id',
    references: { table, column: 'id' },
    where: `entity_type = '${entityType}'`,
  })),
];

/** Cache key families under the prefix (docs/cache-keys.md). */
export const CACHE_FAMILIES: CacheFamily[] = [
  { pattern: 'principle:{id}', dataType: 'governanceRules', kind: 'entity', table: 'principles', keyColumn: 'id' },
  { pattern: 'session:{id}', dataType: 'sessions', kind: 'entity', table: 'user_sessions', keyColumn: 'id' },
  { pattern: 'token:{id}', dataType: 'authTokens', kind: 'entity', table: 'auth_tokens', keyColumn: 'id' },
  { pattern: 'decision:{id}', dataType: 'policyDecisions', kind: 'entity', table: 'policy_decisions', keyColumn: 'id' },
  {
    pattern: 'compliance:{id}',
    dataType: 'complianceChecks',
    kind: 'entity',
    table: 'compliance_checks',
    keyColumn: 'id',
  },
  {
    pattern: 'synthesis:{id}',
    dataType: 'synthesisResults',
    kind: 'entity',
    table: 'synthesis_results',
    keyColumn: 'id',
  },
  { pattern: 'config:{id}', dataType: 'staticConfig', kind: 'entity', table: 'static_config', keyColumn: 'key' },
  { pattern: 'policy:{id}', dataType: 'governanceRules', kind: 'derived', table: 'policies', keyColumn: 'id' },
  { pattern: 'api:tally:{id}', dataType: 'apiResponses', kind: 'derived', table: 'amendments', keyColumn: 'id' },
  {
    pattern: 'api:compliance-report:{id}',
    dataType: 'apiResponses',
    kind: 'derived',
    table: 'policies',
    keyColumn: 'id',
  },
];

/** Builds a key: `cacheKey('acgs:', 'principle:{id}', 7)` -> `acgs:principle:7`. */
export function cacheKey(prefix: string, pattern: string, id: string | number): string {
  return prefix + pattern.replace('{id}', String(id));
}

/**
 * Kinds of acknowledged writes the scenarios count (k6 Counter `acked_writes`,
 * tags `kind` and `client_request_id`) and the table where each must appear with
 * the run's run_id and that client_request_id (concurrent access safety checker).
 */
export const ACK_KINDS: Record<string, string> = {
  vote: 'amendment_votes',
  policy_update: 'policy_updates',
  decision: 'policy_decisions',
  compliance_check: 'compliance_checks',
  synthesis: 'synthesis_results',
  session: 'user_sessions',
};
