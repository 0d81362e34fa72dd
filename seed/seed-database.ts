/**
 * seedDatabase: the whole load of one dataset into the suite's own database.
 *
 *   ownership check -> fingerprint matches? the schema matches its migrations
 *   (else refuse, or with `repair` re-create what is missing)? skip
 *   -> drop the suite's tables -> 001 (tables only, marker without fingerprint)
 *   -> COPY every table, several in parallel
 *   -> 002 (keys, indexes, FKs NOT VALID + VALIDATE) -> setval sequences -> ANALYZE
 *   -> marker with the fingerprint.
 *
 * Keys and indexes come after the data (PostgreSQL manual, "Populating a
 * Database"). The fingerprint is written last, so an interrupted load is
 * reloaded next time instead of being taken as complete.
 */
import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { AcgsError } from '../config/index.ts';
import { buildContext, GENERATOR_VERSION, type GenContext } from './context.ts';
import { datasetFingerprint } from './fingerprint.ts';
import { GENERATORS, type TableGenerator } from './generators/index.ts';
import { copyTable, type TableProgress } from './loader.ts';
import { startWorkers, type WorkerPool } from './parallel-load.ts';
import {
  applyMigration,
  assertOwned,
  assertSchemaMatches,
  dropSuiteTables,
  MIGRATIONS,
  pendingOf,
  readState,
  writeMarker,
  SCHEMA_VERSION,
} from '../schema/index.ts';
import { connectPg, pgError, withPg } from '../services/index.ts';
import { analyzeTables, applyKeysAndIndexes, setSequences } from './post-load.ts';

/**
 * One progress report of the load: a table's rows so far and its rows/s,
 * about every 250 ms while it loads (seed/loader.ts) and once when it is done.
 */
export interface SeedProgressEvent {
  table: string;
  rows: number;
  totalRows: number;
  rowsPerSec: number;
  done: boolean;
  /** Tables loaded so far (this one included when `done`). */
  tablesDone: number;
  /** Tables in the dataset. */
  tablesTotal: number;
}

/**
 * Progress of a step after the rows are in, which takes minutes at scale 100:
 * `done` of `total` units (index statements, the foreign-key validation;
 * tables analyzed). Reported when the step starts (done 0) and after each unit.
 */
export interface SeedStepEvent {
  step: 'keys and indexes' | 'analyze';
  done: number;
  total: number;
}

export interface SeedOptions {
  databaseUrl: string;
  scale: number;
  seed: number;
  /** Reload even when the fingerprint matches. */
  fresh?: boolean;
  /** Seed a database that has tables but no marker. */
  force?: boolean;
  /**
   * When the kept dataset's schema drifted from the migrations: re-create missing
   * indexes and constraints, validate NOT VALID ones, drop extra ones (instead of
   * refusing with SCHEMA_DRIFT). Column and table changes are still refused.
   */
  repair?: boolean;
  onProgress?: (e: SeedProgressEvent) => void;
  /** Progress of the steps after the load (keys and indexes, ANALYZE). */
  onStep?: (e: SeedStepEvent) => void;
  /** Tables loaded at the same time (default 2). */
  parallel?: number;
  /** Generate rows in worker threads (default: see {@link defaultThreads}). */
  threads?: boolean;
}

/** What a seed did; `skipped` when the stored fingerprint already matched. */
export interface SeedSummary {
  skipped: boolean;
  /** The schema differences `repair` fixed on the kept dataset (none when it matched). */
  repaired: string[];
  fingerprint: string;
  tables: Array<{ table: string; rows: number; ms: number; rowsPerSec: number }>;
  totalRows: number;
  totalMs: number;
  /**
   * Wall time of each phase of a load (all 0 when skipped): `copyMs` from the
   * first table's COPY to the last one's commit (generation runs inside it),
   * `keysMs` keys, indexes, foreign keys and their validation, sequences,
   * `analyzeMs` the ANALYZE of every table.
   */
  phases: { copyMs: number; keysMs: number; analyzeMs: number };
}

function checkOptions(o: SeedOptions): void {
  const problems: string[] = [];
  if (!(Number.isFinite(o.scale) && o.scale > 0)) problems.push(`scale must be a positive number (given: ${o.scale})`);
  if (!(Number.isInteger(o.seed) && o.seed >= 0 && o.seed < 2 ** 31))
    problems.push(`seed must be an integer in [0, 2^31) (given: ${o.seed})`);
  if (problems.length)
    throw new AcgsError('BAD_CONFIG', problems[0], { details: problems.slice(1), hint: 'e.g. --scale 1 --seed 42' });
}

/**
 * Loads the dataset of (scale, seed) unless the database already holds it.
 * Concurrent seeds of one database are serialised by an advisory lock: the
 * second waits, then finds the fingerprint in place and skips.
 */
export async function seedDatabase(opts: SeedOptions): Promise<SeedSummary> {
  checkOptions(opts);
  const lock = await connectPg(opts.databaseUrl, 'seeding');
  try {
    await lock.query("SELECT pg_advisory_lock(hashtext('acgs-load seed'))");
    return await seedLocked(opts);
  } catch (e) {
    throw pgError(e, opts.databaseUrl, 'seeding');
  } finally {
    await lock.end().catch(() => {}); // ending the session releases the lock
  }
}

async function seedLocked(opts: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const fingerprint = datasetFingerprint(opts.scale, opts.seed);
  const url = opts.databaseUrl;

  const parallel = opts.parallel ?? 2;
  let ctx: GenContext | undefined;
  let pool: WorkerPool | undefined;
  /** Builds the context and, for a large dataset, starts the worker threads (only once a load is sure). */
  const startPool = () => {
    ctx = buildContext(opts.seed, opts.scale);
    const rows = GENERATORS.reduce((a, g) => a + g.count(ctx!), 0);
    return (opts.threads ?? defaultThreads(rows, parallel)) ? startWorkers(url, ctx, parallel) : undefined;
  };

  const prepared = await withPg(url, 'seeding', async (c) => {
    const state = await readState(c);
    assertOwned(state, url, opts.force, 'to seed');
    const complete = pendingOf(state.applied).length === 0;
    if (!opts.fresh && complete && state.marker?.fingerprint === fingerprint) {
      // The fingerprint covers the data, not the schema: a dropped index would be measured.
      const repaired = await assertSchemaMatches(c, url, state.applied, { repair: opts.repair });
      const r = await c.query<{ value: { tables?: SeedSummary['tables'] } }>(
        "SELECT value FROM acgs_meta WHERE key = 'dataset'",
      );
      const tables = (r.rows[0]?.value.tables ?? []).map((t) => ({ ...t, ms: 0, rowsPerSec: 0 }));
      return { skipped: true, tables, repaired };
    }
    pool = startPool(); // the worker threads start while the tables are dropped and re-created
    await dropSuiteTables(c);
    const fresh = { tables: [], marker: null, applied: [] };
    await applyMigration(c, MIGRATIONS[0], fresh);
    return { skipped: false, tables: [], repaired: [] };
  }).catch(async (e) => {
    await pool?.stop();
    throw e;
  });
  if (prepared.skipped) {
    const totalRows = prepared.tables.reduce((a, t) => a + t.rows, 0);
    const { tables, repaired } = prepared;
    const phases = { copyMs: 0, keysMs: 0, analyzeMs: 0 };
    return { skipped: true, repaired, fingerprint, tables, totalRows, totalMs: performance.now() - started, phases };
  }

  const onProgress = countTables(opts.onProgress, GENERATORS.length);
  const copyStarted = performance.now();
  const tables = !pool
    ? await loadAll(url, ctx!, parallel, onProgress)
    : await pool.load(onProgress).catch((e) => {
        throw pgError(e, url, 'loading rows');
      });
  const phases = { copyMs: performance.now() - copyStarted, keysMs: 0, analyzeMs: 0 };

  await withPg(url, 'adding keys and indexes', async (c) => {
    const state = await readState(c);
    const step = (name: SeedStepEvent['step']) => (done: number, total: number) =>
      opts.onStep?.({ step: name, done, total });
    const keysStarted = performance.now();
    await applyKeysAndIndexes(url, c, state, parallel, step('keys and indexes'));
    await setSequences(c);
    const analyzeStarted = performance.now();
    phases.keysMs = analyzeStarted - keysStarted;
    await analyzeTables(url, parallel, step('analyze'));
    phases.analyzeMs = performance.now() - analyzeStarted;
    await c.query(
      "INSERT INTO acgs_meta (key, value) VALUES ('dataset', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
      [JSON.stringify({ tables: tables.map((t) => ({ table: t.table, rows: t.rows })) })],
    );
    await writeMarker(c, {
      schemaVersion: SCHEMA_VERSION,
      fingerprint,
      generatorVersion: GENERATOR_VERSION,
      scale: opts.scale,
      seed: opts.seed,
      loadedAt: new Date().toISOString(),
    });
  });
  const totalRows = tables.reduce((a, t) => a + t.rows, 0);
  const totalMs = performance.now() - started;
  return { skipped: false, repaired: [], fingerprint, tables, totalRows, totalMs, phases };
}

/**
 * Whether to generate rows in worker threads by default. One thread generates
 * ~0.6M rows/s (bench/seed.bench.ts, "generation alone", on the loaded 2-core
 * CI machine), more than two COPY backends take there (the files peer's COPY
 * phase: 0.13-0.44M rows/s), so on a small machine the main thread feeds every
 * stream: worker threads would compete with the backends for the same cores
 * and pay their start-up (module graph, context, connection). Measured at
 * scale 10 on 2 cores: the COPY phase took 4.4-4.6 s from the main thread and
 * 7.4 s from two workers, which used 2.2 s more CPU. With a core to spare for
 * each stream's backend and generator and one for the main thread, each stream
 * gets a thread of its own (worth it from ~200k rows).
 */
export function defaultThreads(rows: number, parallel: number, cores = availableParallelism()): boolean {
  return rows >= 200_000 && cores >= 2 * parallel + 1;
}

/** COPYs every table, `parallel` at a time, largest first (so the tail is short). */
async function loadAll(
  url: string,
  ctx: GenContext,
  parallel: number,
  onProgress: ((p: TableProgress) => void) | undefined,
): Promise<SeedSummary['tables']> {
  const queue: TableGenerator[] = [...GENERATORS].sort((a, b) => b.count(ctx) - a.count(ctx));
  const results = new Map<string, SeedSummary['tables'][number]>();
  const workers = Math.max(1, Math.min(parallel, queue.length));
  const worker = async (c: pg.Client) => {
    for (let g = queue.shift(); g; g = queue.shift()) {
      const { rows, ms } = await copyTable(c, ctx, g, onProgress);
      results.set(g.table, { table: g.table, rows, ms, rowsPerSec: ms > 0 ? (rows * 1000) / ms : rows });
    }
  };
  const clients: pg.Client[] = [];
  try {
    for (let k = 0; k < workers; k++) clients.push(await connectPg(url, 'seeding'));
    await Promise.all(
      clients.map((c) =>
        worker(c).catch((e) => {
          queue.length = 0;
          throw e;
        }),
      ),
    );
  } catch (e) {
    throw pgError(e, url, 'loading rows');
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
  return GENERATORS.map((g) => results.get(g.table)!).filter(Boolean);
}

/** Adds the count of finished tables to each table's progress report. */
function countTables(
  onProgress: ((e: SeedProgressEvent) => void) | undefined,
  tablesTotal: number,
): ((p: TableProgress) => void) | undefined {
  if (!onProgress) return undefined;
  let tablesDone = 0;
  return (p) => {
    if (p.done) tablesDone++;
    onProgress({ ...p, tablesDone, tablesTotal });
  };
}
