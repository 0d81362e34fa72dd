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
 * batches through a server-side cursor, never a whole table at once; the
 * next batch is fetched while Redis writes the last (warm-writer.ts: chunks
 * of SETs as one script call each, several in flight over a few connections).
 * Entity rows are read as PostgreSQL's text and encoded straight to their
 * JSON text (cache-encode.ts rowTextEncoder), without a Date per timestamp.
 */
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { type Config, AcgsError } from '../config/index.ts';
import {
  CACHE_FAMILIES,
  cacheKey,
  type CacheFamily,
  readState,
  WARM_META_KEY,
  WarmSetBuilder,
} from '../schema/index.ts';
import { derivedText, derivedValue, entityText, RAW_TEXT_TYPES, rowTextEncoder } from './cache-encode.ts';
import { WarmWriter } from './warm-writer.ts';
import { connectPg, describePg, pgError, connectRedis, deletePrefix, redisError } from '../services/index.ts';

export interface WarmOptions {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  ttlSeconds: Config['cache']['ttlSeconds'];
  /** Fraction (0, 1] of each entity type to warm. */
  hotFraction: number;
  /**
   * Empty the prefix first even when it holds this dataset's entries (a run:
   * entries an earlier run filled would turn this run's misses into hits).
   * Without it the prefix is emptied only when it holds another dataset's.
   */
  emptyFirst?: boolean;
  /** Called after each chunk Redis acknowledged (every 500 keys) and once at the end. */
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

const BATCH = 5000;
/** Redis connections the writer spreads its chunks over. */
const CONNECTIONS = 2;

/** Short family name used in summaries: 'principle:{id}' -> 'principle'. */
export function familyName(f: CacheFamily): string {
  return f.pattern.replace(/:\{id\}$/, '');
}

function family(pattern: string): CacheFamily {
  const f = CACHE_FAMILIES.find((x) => x.pattern === pattern);
  if (!f) throw new Error(`no cache family ${pattern}`);
  return f;
}

/** Queues entries under the prefix with their policy's TTL, and records each key for the warm marker. */
class Writer {
  readonly warmed = new WarmSetBuilder();
  constructor(
    readonly out: WarmWriter,
    private opts: WarmOptions,
  ) {}
  set(f: CacheFamily, id: string | number, value: string): void {
    this.out.set(cacheKey(this.opts.prefix, f.pattern, id), value, this.opts.ttlSeconds[f.dataType], familyName(f));
    this.warmed.add(f.pattern, id);
  }
}

/**
 * Streams the rows of `sql` in batches through a cursor (inside its own
 * read-only transaction, TimeZone UTC for the text timestamps), fetching the
 * next batch while `fn`'s writes of the last are in flight.
 */
async function eachBatch(
  c: pg.Client,
  sql: string,
  fn: (rows: Record<string, unknown>[]) => Promise<void>,
): Promise<void> {
  await c.query('BEGIN READ ONLY');
  try {
    await c.query("SET LOCAL TimeZone = 'UTC'");
    await c.query(`DECLARE warm_cur NO SCROLL CURSOR FOR ${sql}`);
    const fetch = () => c.query({ text: `FETCH ${BATCH} FROM warm_cur`, types: RAW_TEXT_TYPES });
    let next = fetch();
    for (;;) {
      const r = await next;
      if (r.rows.length === 0) break;
      next = fetch();
      // A failed write or fetch surfaces here; the pending fetch's error is not left unhandled.
      await fn(r.rows).catch(async (e) => {
        await next.catch(() => {});
        throw e;
      });
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
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
  /** Keys deleted from the prefix before warming. */
  cleared: number;
}

/** Writes the hot entities into Redis; returns how many keys, per family, and the time taken. */
export async function warmCache(opts: WarmOptions): Promise<WarmResult> {
  const started = performance.now();
  const c = await connectPg(opts.databaseUrl, 'warming the cache');
  let redis: Redis | undefined;
  const extra: Redis[] = [];
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
    for (let i = 1; i < CONNECTIONS; i++) extra.push(await connectRedis(opts.redisUrl, 'warming the cache'));
    // Entries written for another dataset (the database was reloaded by any path since)
    // are not this dataset's rows: clear the prefix before warming, or the checkers
    // would rightly report them. The marker key names the dataset the cache belongs to.
    const metaKey = `${opts.prefix}${DATASET_META_KEY}`;
    const clearFirst = opts.emptyFirst || (await redis.get(metaKey)) !== marker.fingerprint;
    const cleared = clearFirst ? await deletePrefix(redis, opts.prefix) : 0;
    const out = new WarmWriter([redis, ...extra], opts.redisUrl, (keys, family) =>
      opts.onProgress?.({ keys, family, done: false }),
    );
    const w = new Writer(out, opts);
    // Before the first SET: every entry's TTL runs from this moment or later (the marker's promise).
    const at = new Date();
    await warmEntities(c, w, opts.hotFraction);
    await warmDerived(c, w, opts.hotFraction);
    await out.flush();
    await redis.set(metaKey, marker.fingerprint, 'EX', DATASET_META_TTL_S);
    await redis.set(
      `${opts.prefix}${WARM_META_KEY}`,
      JSON.stringify(w.warmed.build(at, clearFirst)),
      'EX',
      DATASET_META_TTL_S,
    );
    const keys = Object.values(out.byFamily).reduce((a, b) => a + b, 0);
    opts.onProgress?.({ keys, family: out.lastFamily, done: true });
    return { keys, byFamily: out.byFamily, ms: performance.now() - started, cleared };
  } catch (e) {
    throw pgError(e, opts.databaseUrl, 'warming the cache'); // Redis errors are already AcgsErrors
  } finally {
    redis?.disconnect();
    for (const r of extra) r.disconnect();
    await c.end().catch(() => {});
  }
}

/**
 * Empties the prefix without warming (a run with cache.warmOnStart false) and
 * leaves a warm marker that lists nothing: every entry in the cache from now
 * on was written after `at`, and none was warmed.
 */
export async function emptyCache(opts: { redisUrl: string; prefix: string }): Promise<{ cleared: number }> {
  const redis = await connectRedis(opts.redisUrl, 'emptying the cache');
  try {
    const at = new Date();
    const cleared = await deletePrefix(redis, opts.prefix);
    await redis.set(
      `${opts.prefix}${WARM_META_KEY}`,
      JSON.stringify(new WarmSetBuilder().build(at, true)),
      'EX',
      DATASET_META_TTL_S,
    );
    return { cleared };
  } catch (e) {
    throw redisError(e, opts.redisUrl, 'emptying the cache');
  } finally {
    redis.disconnect();
  }
}

async function warmEntities(c: pg.Client, w: Writer, fraction: number): Promise<void> {
  const now = new Date().toISOString();
  const put = (pattern: string, table: string, keyCol: string) => {
    const f = family(pattern);
    const rowText = rowTextEncoder(table);
    return async (rows: Record<string, unknown>[]) => {
      for (const row of rows) w.set(f, row[keyCol] as string, entityText(rowText(row), row.version, now));
      await w.out.room();
    };
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

async function warmDerived(c: pg.Client, w: Writer, fraction: number): Promise<void> {
  const now = new Date().toISOString();
  const hotPolicies = await hotLimit(c, 'policies', fraction);
  const hotIds = `SELECT id FROM policies ORDER BY id LIMIT ${hotPolicies}`;
  // policy:{id} = the policy row, its rules by (rule_order, id), its principle ids ascending.
  const policyText = rowTextEncoder('policies');
  const ruleText = rowTextEncoder('policy_rules');
  await eachBatch(c, `SELECT * FROM policies WHERE id IN (${hotIds}) ORDER BY id`, async (rows) => {
    const ids = rows.map((r) => r.id as string);
    const rules = await c.query({
      text: `SELECT * FROM policy_rules WHERE policy_id = ANY($1::bigint[]) ORDER BY policy_id, rule_order, id`,
      values: [ids],
      types: RAW_TEXT_TYPES,
    });
    const links = await c.query<{ policy_id: string; principle_id: string }>({
      text: 'SELECT policy_id, principle_id FROM policy_principles WHERE policy_id = ANY($1::bigint[]) ORDER BY policy_id, principle_id',
      values: [ids],
      types: RAW_TEXT_TYPES,
    });
    // Grouped once per batch (both results are ordered by policy_id).
    const rulesOf = new Map<string, string[]>();
    for (const r of rules.rows) push(rulesOf, r.policy_id as string, ruleText(r));
    const linksOf = new Map<string, string[]>();
    for (const l of links.rows) push(linksOf, l.policy_id, String(Number(l.principle_id)));
    for (const p of rows) {
      const id = p.id as string;
      const data = `{"policy":${policyText(p)},"rules":[${(rulesOf.get(id) ?? []).join(',')}],"principleIds":[${(linksOf.get(id) ?? []).join(',')}]}`;
      w.set(family('policy:{id}'), id, derivedText(Number(p.version), data, now));
    }
    await w.out.room();
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
        const data = {
          for: Number(r.for),
          against: Number(r.against),
          abstain: Number(r.abstain),
          total: Number(r.total),
        };
        w.set(family('api:tally:{id}'), r.id as string, derivedValue(Number(r.version), data, now));
      }
      await w.out.room();
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
        const data = { checks: Number(r.checks), passRate: r.pass_rate, avgScore: r.avg_score };
        w.set(family('api:compliance-report:{id}'), r.id as string, derivedValue(Number(r.version), data, now));
      }
      await w.out.room();
    },
  );
}
