/**
 * Cache warming: writes the hot entities of the suite's database into Redis
 * in the format of docs/cache-keys.md, each key with exactly its TTL policy's
 * seconds (SET key value EX ttl), through pipelines.
 *
 * Hot: the top `hotFraction` of principles, policies and amendments by
 * popularity (low ids: the generators' Zipf law makes them the most used),
 * all static configuration, the unexpired, unrevoked sessions of the hot
 * users and their valid tokens, and the most recent `hotFraction` of
 * decisions, compliance checks and synthesis results. Rows are read in
 * batches through a server-side cursor, never a whole table at once.
 */
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { type Config, AcgsError } from '../config/index.ts';
import { CACHE_FAMILIES, cacheKey, type CacheFamily, readState } from '../schema/index.ts';
import { derivedValue, encodeRow, entityValue } from './cache-encode.ts';
import { connectPg, describePg, pgError, connectRedis, deletePrefix, redisError } from '../services/index.ts';

export interface WarmOptions {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  ttlSeconds: Config['cache']['ttlSeconds'];
  /** Fraction (0, 1] of each entity type to warm. */
  hotFraction: number;
  /** Called after each pipeline Redis acknowledged (every 500 keys) and once at the end. */
  onProgress?: (e: WarmProgressEvent) => void;
}

/** Progress of a warm: keys Redis has acknowledged so far. */
export interface WarmProgressEvent {
  /** Keys written so far, all families. */
  keys: number;
  /** The family being written ('principle', 'policy', ...: see familyName). */
  family: string;
  /** true once, when every key is written. */
  done: boolean;
}

/** Key (after the prefix) naming the dataset fingerprint the cache was warmed from (docs/cache-keys.md). */
export const DATASET_META_KEY = 'meta:dataset';
/** The marker expires after 30 days; a cache without it is cleared and warmed again. */
const DATASET_META_TTL_S = 30 * 86400;

const BATCH = 1000;
const PIPELINE = 500;

/** Short family name used in summaries: 'principle:{id}' -> 'principle'. */
export function familyName(f: CacheFamily): string {
  return f.pattern.replace(/:\{id\}$/, '');
}

function family(pattern: string): CacheFamily {
  const f = CACHE_FAMILIES.find((x) => x.pattern === pattern);
  if (!f) throw new Error(`no cache family ${pattern}`);
  return f;
}

/** Buffers SET ... EX commands and sends them in pipelines. */
class PipelineWriter {
  private pipe;
  private pending = 0;
  /** The family of the last key queued. */
  family = '';
  /** Keys Redis has acknowledged. */
  written = 0;
  readonly byFamily: Record<string, number> = {};
  constructor(
    private redis: Redis,
    private opts: WarmOptions,
  ) {
    this.pipe = redis.pipeline();
  }
  async set(f: CacheFamily, id: string | number, value: string): Promise<void> {
    this.pipe.set(cacheKey(this.opts.prefix, f.pattern, id), value, 'EX', this.opts.ttlSeconds[f.dataType]);
    const name = familyName(f);
    this.byFamily[name] = (this.byFamily[name] ?? 0) + 1;
    this.family = name;
    if (++this.pending >= PIPELINE) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.pending) return;
    try {
      const results = (await this.pipe.exec()) ?? [];
      for (const [err] of results) if (err) throw err;
    } catch (e) {
      throw redisError(e, this.opts.redisUrl, 'warming the cache');
    }
    this.pipe = this.redis.pipeline();
    this.written += this.pending;
    this.pending = 0;
    this.opts.onProgress?.({ keys: this.written, family: this.family, done: false });
  }
}

/** Streams the rows of `sql` in batches through a cursor (inside its own transaction). */
async function eachBatch(
  c: pg.Client,
  sql: string,
  fn: (rows: Record<string, unknown>[]) => Promise<void>,
): Promise<void> {
  await c.query('BEGIN READ ONLY');
  try {
    await c.query(`DECLARE warm_cur NO SCROLL CURSOR FOR ${sql}`);
    for (;;) {
      const r = await c.query(`FETCH ${BATCH} FROM warm_cur`);
      if (r.rows.length === 0) break;
      await fn(r.rows);
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

async function hotLimit(c: pg.Client, table: string, fraction: number): Promise<number> {
  const r = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return r.rows[0].n === 0 ? 0 : Math.max(1, Math.ceil(r.rows[0].n * fraction));
}

/** What warming wrote: keys in all, keys per family, and the time taken. */
export interface WarmResult {
  keys: number;
  byFamily: Record<string, number>;
  ms: number;
}

/** Writes the hot entities into Redis; returns how many keys, per family, and the time taken. */
export async function warmCache(opts: WarmOptions): Promise<WarmResult> {
  const started = performance.now();
  const c = await connectPg(opts.databaseUrl, 'warming the cache');
  let redis: Redis | undefined;
  try {
    const { marker } = await readState(c);
    if (!marker?.fingerprint) {
      throw new AcgsError(
        marker ? 'PG_ERROR' : 'FOREIGN_DATABASE',
        `database ${describePg(opts.databaseUrl)} holds no acgs-load dataset to warm from${marker ? '' : ' (no acgs-load marker)'}`,
        {
          hint: "run `acgs-load seed` first (or point DATABASE_URL at the suite's database)",
        },
      );
    }
    redis = await connectRedis(opts.redisUrl, 'warming the cache');
    // Entries written for another dataset (the database was reloaded by any path since)
    // are not this dataset's rows: clear the prefix before warming, or the checkers
    // would rightly report them. The marker key names the dataset the cache belongs to.
    const metaKey = `${opts.prefix}${DATASET_META_KEY}`;
    if ((await redis.get(metaKey)) !== marker.fingerprint) await deletePrefix(redis, opts.prefix);
    const w = new PipelineWriter(redis, opts);
    await warmEntities(c, w, opts.hotFraction);
    await warmDerived(c, w, opts.hotFraction);
    await w.flush();
    await redis.set(metaKey, marker.fingerprint, 'EX', DATASET_META_TTL_S);
    const keys = Object.values(w.byFamily).reduce((a, b) => a + b, 0);
    opts.onProgress?.({ keys, family: w.family, done: true });
    return { keys, byFamily: w.byFamily, ms: performance.now() - started };
  } catch (e) {
    throw pgError(e, opts.databaseUrl, 'warming the cache'); // Redis errors are already AcgsErrors
  } finally {
    redis?.disconnect();
    await c.end().catch(() => {});
  }
}

async function warmEntities(c: pg.Client, w: PipelineWriter, fraction: number): Promise<void> {
  const now = new Date().toISOString();
  const put = (pattern: string, table: string, keyCol: string) => async (rows: Record<string, unknown>[]) => {
    for (const row of rows) await w.set(family(pattern), row[keyCol] as string | number, entityValue(table, row, now));
  };
  const hotPrinciples = await hotLimit(c, 'principles', fraction);
  await eachBatch(
    c,
    `SELECT * FROM principles ORDER BY id LIMIT ${hotPrinciples}`,
    put('principle:{id}', 'principles', 'id'),
  );
  await eachBatch(c, 'SELECT * FROM static_config ORDER BY key', put('config:{id}', 'static_config', 'key'));
  const hotUsers = await hotLimit(c, 'users', fraction);
  const validSessions = `FROM user_sessions s WHERE NOT s.revoked AND s.expires_at > now() AND s.user_id IN (SELECT id FROM users ORDER BY id LIMIT ${hotUsers})`;
  await eachBatch(c, `SELECT s.* ${validSessions} ORDER BY s.id`, put('session:{id}', 'user_sessions', 'id'));
  await eachBatch(
    c,
    `SELECT t.* FROM auth_tokens t WHERE NOT t.revoked AND t.expires_at > now() AND t.session_id IN (SELECT s.id ${validSessions}) ORDER BY t.id`,
    put('token:{id}', 'auth_tokens', 'id'),
  );
  for (const [pattern, table] of [
    ['decision:{id}', 'policy_decisions'],
    ['compliance:{id}', 'compliance_checks'],
    ['synthesis:{id}', 'synthesis_results'],
  ]) {
    const n = await hotLimit(c, table, fraction);
    await eachBatch(
      c,
      `SELECT * FROM ${table} ORDER BY created_at DESC, id DESC LIMIT ${n}`,
      put(pattern, table, 'id'),
    );
  }
}

async function warmDerived(c: pg.Client, w: PipelineWriter, fraction: number): Promise<void> {
  const now = new Date().toISOString();
  const hotPolicies = await hotLimit(c, 'policies', fraction);
  const hotIds = `SELECT id FROM policies ORDER BY id LIMIT ${hotPolicies}`;
  // policy:{id} = the policy row, its rules by (rule_order, id), its principle ids ascending.
  await eachBatch(c, `SELECT * FROM policies WHERE id IN (${hotIds}) ORDER BY id`, async (rows) => {
    const ids = rows.map((r) => Number(r.id));
    const rules = await c.query(
      `SELECT * FROM policy_rules WHERE policy_id = ANY($1) ORDER BY policy_id, rule_order, id`,
      [ids],
    );
    const links = await c.query<{ policy_id: number; principle_id: number }>(
      'SELECT policy_id, principle_id FROM policy_principles WHERE policy_id = ANY($1) ORDER BY policy_id, principle_id',
      [ids],
    );
    for (const p of rows) {
      const id = Number(p.id);
      const data = {
        policy: encodeRow('policies', p),
        rules: rules.rows.filter((r) => Number(r.policy_id) === id).map((r) => encodeRow('policy_rules', r)),
        principleIds: links.rows.filter((l) => Number(l.policy_id) === id).map((l) => Number(l.principle_id)),
      };
      await w.set(family('policy:{id}'), id, derivedValue(Number(p.version), data, now));
    }
  });
  const hotAmendments = await hotLimit(c, 'amendments', fraction);
  await eachBatch(
    c,
    `
    SELECT a.id, a.version,
           count(v.id) FILTER (WHERE v.choice = 'for')::int AS for,
           count(v.id) FILTER (WHERE v.choice = 'against')::int AS against,
           count(v.id) FILTER (WHERE v.choice = 'abstain')::int AS abstain,
           count(v.id)::int AS total
      FROM (SELECT id, version FROM amendments ORDER BY id LIMIT ${hotAmendments}) a
      LEFT JOIN amendment_votes v ON v.amendment_id = a.id
     GROUP BY a.id, a.version ORDER BY a.id`,
    async (rows) => {
      for (const r of rows) {
        const data = { for: r.for, against: r.against, abstain: r.abstain, total: r.total };
        await w.set(family('api:tally:{id}'), Number(r.id), derivedValue(Number(r.version), data, now));
      }
    },
  );
  // With no checks the rates are 0 ("0.0000", "0.00") rather than null, so the value keeps its types.
  await eachBatch(
    c,
    `
    SELECT p.id, p.version, count(cc.id)::int AS checks,
           round(COALESCE(count(cc.id) FILTER (WHERE cc.status = 'pass')::numeric / NULLIF(count(cc.id), 0), 0), 4)::text AS pass_rate,
           round(COALESCE(avg(cc.score), 0), 2)::text AS avg_score
      FROM (SELECT id, version FROM policies ORDER BY id LIMIT ${hotPolicies}) p
      LEFT JOIN compliance_checks cc ON cc.policy_id = p.id
     GROUP BY p.id, p.version ORDER BY p.id`,
    async (rows) => {
      for (const r of rows) {
        const data = { checks: r.checks, passRate: r.pass_rate, avgScore: r.avg_score };
        await w.set(family('api:compliance-report:{id}'), Number(r.id), derivedValue(Number(r.version), data, now));
      }
    },
  );
}
