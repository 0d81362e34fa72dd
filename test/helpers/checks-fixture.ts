/**
 * Test fixture for the checkers' tests (not shipped code): a small governance
 * dataset inserted row by row after the schema migrations, and cache entries
 * written per docs/cache-keys.md. The cache writer encodes from node-pg's
 * parsed values (int8 -> Number, Date -> toISOString), the road the target
 * takes, not the checkers' own encoding code, so a bug in one is not cancelled
 * by the same bug in the other.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Redis } from 'ioredis';
import { TTL_POLICY_DEFAULTS } from '../../config/index.ts';
import { CACHE_FAMILIES, cacheKey } from '../../schema/description.ts';
import type { CheckOptions } from '../../checks/types.ts';
import { createTestDatabase, type TestDatabase } from './services.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema', 'migrations');

/** Applies 001 and 002 to an empty database. */
export async function applySchema(db: pg.Pool): Promise<void> {
  for (const f of ['001_tables.sql', '002_keys_indexes.sql']) await db.query(readFileSync(join(MIGRATIONS, f), 'utf8'));
}

const T = (s: string) => `'2026-01-0${s}+00'`;

/** The fixture rows; every invariant of the schema holds. */
const ROWS = `
INSERT INTO users (id, username, email, display_name, role, is_active, created_at, updated_at, version) VALUES
  (1, 'alice', 'a@x.org', 'Alice', 'admin', true, ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1),
  (2, 'bob', 'b@x.org', 'Bob', 'delegate', true, ${T('1 10:00:00.000')}, ${T('2 11:00:00.250')}, 2),
  (3, 'carol', 'c@x.org', 'Carol', 'citizen', false, ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1);
INSERT INTO user_sessions (id, user_id, user_agent, ip_address, created_at, expires_at, revoked, updated_at, version, run_id, client_request_id) VALUES
  ('s1', 1, 'k6', '10.0.0.1', ${T('1 10:00:00.000')}, ${T('9 10:00:00.000')}, false, ${T('1 10:00:00.000')}, 1, 'run-1', 'req-s1'),
  ('s2', 2, 'k6', '10.0.0.2', ${T('1 10:00:00.000')}, ${T('9 10:00:00.000')}, true, ${T('1 12:00:00.000')}, 2, NULL, NULL),
  ('s3', 3, 'k6', '::1', ${T('1 10:00:00.000')}, ${T('9 10:00:00.000')}, true, ${T('1 12:00:00.000')}, 2, NULL, NULL);
INSERT INTO auth_tokens (id, user_id, session_id, scopes, issued_at, expires_at, revoked, updated_at, version) VALUES
  ('t1', 1, 's1', '["read","write"]', ${T('1 10:00:00.000')}, ${T('9 10:00:00.000')}, false, ${T('1 10:00:00.000')}, 1),
  ('t2', 2, 's2', '["read"]', ${T('1 10:00:00.000')}, ${T('9 10:00:00.000')}, true, ${T('1 12:00:00.000')}, 2);
INSERT INTO principles (id, code, title, body, category, priority, weight, is_active, created_at, updated_at, version) VALUES
  (1, 'P-1', 'Transparency', 'Decisions are explained.', 'ethics', 1, 12.345, true, '2026-01-01 10:00:00.123456+00', ${T('1 10:00:00.000')}, 1),
  (2, 'P-2', 'Fairness', 'Equal treatment.', 'ethics', 2, 1.500, true, ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1),
  (3, 'P-3', 'Safety', 'Do no harm.', 'safety', 3, 100.000, true, ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1),
  (4, 'P-4', 'Privacy', 'Minimal data.', 'privacy', 4, 0.001, false, ${T('1 10:00:00.000')}, ${T('3 09:30:00.999')}, 3);
INSERT INTO policy_templates (id, name, description, category, default_rules, created_at, updated_at, version) VALUES
  (1, 'Base', 'Base template', 'general', '[{"effect":"allow"}]', ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1);
INSERT INTO policies (id, template_id, owner_id, name, description, status, enforcement_level, created_at, updated_at, version) VALUES
  (1, 1, 1, 'Data access', 'Who reads what', 'active', 'mandatory', ${T('1 10:00:00.000')}, ${T('2 10:00:00.000')}, 2),
  (2, 1, 2, 'Retention', 'How long', 'draft', 'advisory', ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1);
INSERT INTO policy_updates (id, policy_id, updated_by, from_version, to_version, changes, created_at, run_id, client_request_id) VALUES
  (1, 1, 1, 1, 2, '{"status":"active"}', ${T('2 10:00:00.000')}, 'run-1', 'req-u1');
INSERT INTO policy_principles (policy_id, principle_id, relevance) VALUES (1, 2, 0.900), (1, 1, 0.500), (2, 3, 1.000);
INSERT INTO policy_rules (id, policy_id, rule_order, name, condition, effect, source_principle_ids, created_at, updated_at, version) VALUES
  (1, 1, 2, 'deny others', '{"role":{"not":"admin"}}', 'deny', '[1]', ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1),
  (2, 1, 1, 'allow admins', '{"role":"admin"}', 'allow', '[1, 2]', ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1),
  (3, 2, 1, 'review', '{}', 'require_review', '[3]', ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1);
INSERT INTO amendments (id, principle_id, proposer_id, title, rationale, status, votes_for, votes_against, votes_abstain, opens_at, closes_at, created_at, updated_at, version) VALUES
  (1, 1, 1, 'Clarify', 'Because', 'open', 2, 1, 0, ${T('1 10:00:00.000')}, ${T('9 10:00:00.000')}, ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1),
  (2, 2, 2, 'Extend', 'Why not', 'open', 0, 0, 0, ${T('1 10:00:00.000')}, ${T('9 10:00:00.000')}, ${T('1 10:00:00.000')}, ${T('1 10:00:00.000')}, 1);
INSERT INTO amendment_votes (id, amendment_id, voter_id, choice, created_at, run_id, client_request_id) VALUES
  (1, 1, 1, 'for', ${T('1 11:00:00.000')}, 'run-1', 'req-v1'),
  (2, 1, 2, 'for', ${T('1 11:00:00.000')}, 'run-1', 'req-v2'),
  (3, 1, 3, 'against', ${T('1 11:00:00.000')}, NULL, NULL);
INSERT INTO amendment_comments (id, amendment_id, author_id, body, created_at, updated_at, version) VALUES
  (1, 1, 2, 'Agree', ${T('1 11:00:00.000')}, ${T('1 11:00:00.000')}, 1);
INSERT INTO policy_decisions (id, policy_id, subject_id, action, resource, decision, reasons, evaluated_rules, created_at, updated_at, version, run_id, client_request_id) VALUES
  (1, 1, 2, 'read', 'doc:1', 'deny', '["rule 1"]', 2, ${T('1 12:00:00.000')}, ${T('1 12:00:00.000')}, 1, 'run-1', 'req-d1'),
  (2, 2, 1, 'write', 'doc:2', 'require_review', '[]', 1, ${T('1 12:00:00.000')}, ${T('1 12:00:00.000')}, 1, NULL, NULL);
INSERT INTO compliance_checks (id, policy_id, checked_by, status, score, findings, created_at, updated_at, version, run_id, client_request_id) VALUES
  (1, 1, 1, 'pass', 87.50, '{"issues":[]}', ${T('1 12:00:00.000')}, ${T('1 12:00:00.000')}, 1, 'run-1', 'req-c1'),
  (2, 1, 2, 'fail', 42.25, '{"issues":["x"]}', ${T('1 12:00:00.000')}, ${T('1 12:00:00.000')}, 1, NULL, NULL),
  (3, 1, 2, 'pass', 60.00, '{"issues":[]}', ${T('1 12:00:00.000')}, ${T('1 12:00:00.000')}, 1, NULL, NULL);
INSERT INTO synthesis_results (id, policy_id, requested_by, principle_ids, input_hash, output, model, confidence, created_at, updated_at, version, run_id, client_request_id) VALUES
  (1, 1, 1, '[1, 3]', 'abc', '{"text":"ok","n":[1,2]}', 'm1', 0.875, ${T('1 12:00:00.000')}, ${T('1 12:00:00.000')}, 1, 'run-1', 'req-y1');
INSERT INTO audit_log (id, occurred_at, actor_id, action, entity_type, entity_id, details, run_id, client_request_id) VALUES
  (1, ${T('1 12:00:00.000')}, 1, 'update', 'policy', 1, '{}', NULL, NULL),
  (2, ${T('1 12:00:00.000')}, 2, 'vote', 'amendment', 1, '{}', NULL, NULL),
  (3, ${T('1 12:00:00.000')}, 1, 'deactivate', 'user', 3, '{}', NULL, NULL),
  (4, ${T('1 12:00:00.000')}, 1, 'edit', 'principle', 4, '{}', NULL, NULL);
INSERT INTO static_config (key, value, description, updated_at, version) VALUES
  ('feature.flags', '{"beta":true,"limits":[1,2,3]}', 'Flags', ${T('1 10:00:00.000')}, 1),
  ('max.votes', '100', 'Limit', ${T('1 10:00:00.000')}, 1);
`;

const DATA_TABLES = [
  'users',
  'user_sessions',
  'auth_tokens',
  'principles',
  'policy_templates',
  'policies',
  'policy_updates',
  'policy_principles',
  'policy_rules',
  'amendments',
  'amendment_votes',
  'amendment_comments',
  'policy_decisions',
  'compliance_checks',
  'synthesis_results',
  'audit_log',
  'static_config',
];

/** Empties the tables and inserts the fixture rows again. */
export async function resetRows(db: pg.Pool): Promise<void> {
  await db.query(`TRUNCATE ${DATA_TABLES.join(', ')}`);
  await db.query(ROWS);
}

/** A row as node-pg parses it, encoded the way a Node service would cache it. */
function nodeEncode(row: Record<string, unknown>, fields: pg.FieldDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = row[f.name];
    if (v instanceof Date) out[f.name] = v.toISOString();
    else if (f.dataTypeID === 20 && v !== null)
      out[f.name] = Number(v); // int8 arrives as text
    else out[f.name] = v;
  }
  return out;
}

/** Rounds a non-negative rational a/b to `d` decimals, half up, as text (PostgreSQL's round()). */
function roundText(a: bigint, b: bigint, d: number): string {
  const scaled = (a * 10n ** BigInt(d) * 2n + b) / (2n * b);
  const s = scaled.toString().padStart(d + 1, '0');
  return `${s.slice(0, s.length - d)}.${s.slice(s.length - d)}`;
}

/** Writes every cache entry of the fixture (all families, every row) with the policy TTL. */
export async function warmFixture(
  db: pg.Pool,
  redis: Pick<Redis, 'set' | 'pipeline'>,
  prefix: string,
  onePipeline = true,
): Promise<number> {
  const cachedAt = new Date().toISOString();
  // A cluster pipeline must stay on one node: there, plain SETs one by one.
  const p = onePipeline ? redis.pipeline() : null;
  const pending: Array<Promise<unknown>> = [];
  let n = 0;
  const put = (pattern: string, id: string | number, value: unknown) => {
    const fam = CACHE_FAMILIES.find((f) => f.pattern === pattern)!;
    const args = [
      cacheKey(prefix, pattern, id),
      JSON.stringify(value),
      'EX',
      TTL_POLICY_DEFAULTS[fam.dataType],
    ] as const;
    if (p) p.set(...args);
    else pending.push(redis.set(...args));
    n++;
  };
  for (const fam of CACHE_FAMILIES.filter((f) => f.kind === 'entity')) {
    const r = await db.query(`SELECT * FROM ${fam.table}`);
    for (const row of r.rows)
      put(fam.pattern, String(row[fam.keyColumn]), { v: row.version, row: nodeEncode(row, r.fields), cachedAt });
  }
  const policies = await db.query('SELECT * FROM policies');
  for (const pol of policies.rows) {
    const rules = await db.query('SELECT * FROM policy_rules WHERE policy_id = $1 ORDER BY rule_order, id', [pol.id]);
    const pids = await db.query(
      'SELECT principle_id FROM policy_principles WHERE policy_id = $1 ORDER BY principle_id',
      [pol.id],
    );
    const data = {
      policy: nodeEncode(pol, policies.fields),
      rules: rules.rows.map((r) => nodeEncode(r, rules.fields)),
      principleIds: pids.rows.map((r) => Number(r.principle_id)),
    };
    put('policy:{id}', pol.id, { v: pol.version, data, cachedAt });
    const checks = await db.query('SELECT status, score FROM compliance_checks WHERE policy_id = $1', [pol.id]);
    const count = BigInt(checks.rows.length);
    const passes = BigInt(checks.rows.filter((c) => c.status === 'pass').length);
    const cents = checks.rows.reduce((a, c) => a + BigInt(String(c.score).replace('.', '')), 0n);
    const report =
      count === 0n
        ? { checks: 0, passRate: '0.0000', avgScore: '0.00' }
        : {
            checks: Number(count),
            passRate: roundText(passes, count, 4),
            avgScore: roundText(cents, count * 100n, 2),
            generatedBy: 'fixture',
          };
    put('api:compliance-report:{id}', pol.id, { v: pol.version, data: report, cachedAt });
  }
  const amendments = await db.query('SELECT id, version FROM amendments');
  for (const a of amendments.rows) {
    const votes = await db.query('SELECT choice FROM amendment_votes WHERE amendment_id = $1', [a.id]);
    const c = (x: string) => votes.rows.filter((v) => v.choice === x).length;
    put('api:tally:{id}', a.id, {
      v: a.version,
      data: { for: c('for'), against: c('against'), abstain: c('abstain'), total: votes.rows.length },
      cachedAt,
    });
  }
  if (p) await p.exec();
  await Promise.all(pending);
  return n;
}

/** Check options for a test database and prefix: no grace, sweep all. */
export function testOptions(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
  over: Partial<CheckOptions> = {},
): CheckOptions {
  return {
    databaseUrl,
    redisUrl,
    prefix,
    ttlSeconds: { ...TTL_POLICY_DEFAULTS },
    graceSeconds: 0,
    sample: 0,
    examples: 5,
    batchSize: 100,
    ...over,
  };
}

/** Reads a cached JSON value, lets `edit` change it, writes it back keeping its TTL. */
export async function editEntry(redis: Redis, key: string, edit: (v: Record<string, any>) => void): Promise<void> {
  const raw = await redis.get(key);
  if (raw === null) throw new Error(`fixture: no key ${key}`);
  const v = JSON.parse(raw);
  edit(v);
  await redis.set(key, JSON.stringify(v), 'KEEPTTL');
}

/** Non-zero violations by checker: `{ 'cache-db-sync': { stale: 1 } }`; {} when clean. */
export function violationsOf(r: {
  checkers: Array<{ name: string; violations: Record<string, number> }>;
}): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of r.checkers) {
    const v = Object.fromEntries(Object.entries(c.violations).filter(([, n]) => n > 0));
    if (Object.keys(v).length) out[c.name] = v;
  }
  return out;
}

/** A test database with the suite's schema and a small pool over it. */
export interface FixtureDatabase {
  tdb: TestDatabase;
  db: pg.Pool;
}

/** Creates database `acgs_t_<name>` with the schema applied. */
export async function openFixtureDatabase(name: string): Promise<FixtureDatabase> {
  const tdb = await createTestDatabase(name);
  const db = new pg.Pool({ connectionString: tdb.url, max: 2 });
  db.on('error', () => {}); // DROP DATABASE ... WITH (FORCE) at the end terminates idle clients
  await applySchema(db);
  return { tdb, db };
}

export async function closeFixtureDatabase(f: FixtureDatabase): Promise<void> {
  await f.db.end();
  await f.tdb.drop();
}
