/**
 * Loads every table over `parallel` worker threads, each with its own
 * connection, handing out tables largest first so the tail is short. Row
 * generation is CPU-bound JavaScript: in one thread it caps the load at one
 * core whatever PostgreSQL could take.
 *
 * A worker takes about half a second to start (its module graph, its context,
 * its connection), so the threads are started first ({@link startWorkers})
 * and given tables only once the database is ready ({@link WorkerPool.load}):
 * their start overlaps the drop and re-creation of the tables. They get the
 * parent's text pools in `workerData` instead of building them again.
 */
import { Worker } from 'node:worker_threads';
import type { GenContext } from './context.ts';
import { GENERATORS } from './generators/index.ts';
import type { TableProgress } from './loader.ts';

/** One table's load result. */
export interface TableLoad {
  table: string;
  rows: number;
  ms: number;
  rowsPerSec: number;
}

/** Started worker threads, waiting for tables. */
export interface WorkerPool {
  /** Hands out every table; resolves with their loads, rejects with the first failure (the workers are then ended). */
  load(onProgress?: (p: TableProgress) => void): Promise<TableLoad[]>;
  /** Ends the workers without loading (the load did not start). */
  stop(): Promise<void>;
}

type WorkerMessage = {
  type: string;
  e?: TableProgress;
  table?: string;
  rows?: number;
  ms?: number;
  message?: string;
  code?: string;
};

/** Starts `parallel` (at most one per table) worker threads for the dataset of `ctx`. */
export function startWorkers(url: string, ctx: GenContext, parallel: number): WorkerPool {
  const queue = [...GENERATORS].sort((a, b) => b.count(ctx) - a.count(ctx)).map((g) => g.table);
  const results = new Map<string, TableLoad>();
  const n = Math.max(1, Math.min(parallel, queue.length));
  const workers: Worker[] = [];
  const ready: Worker[] = [];
  let failed = false;
  let finished = 0;
  let started = false;
  let onProgress: ((p: TableProgress) => void) | undefined;
  let settle: { resolve: (r: TableLoad[]) => void; reject: (e: unknown) => void } | undefined;
  let earlyError: unknown;
  const fail = (e: unknown) => {
    if (failed) return;
    failed = true;
    for (const w of workers) void w.terminate();
    if (settle) settle.reject(e);
    else earlyError = e;
  };
  const next = (w: Worker) => w.postMessage({ table: failed ? null : (queue.shift() ?? null) });
  for (let k = 0; k < n; k++) {
    // A plain .mjs entry that registers tsx first (see copy-worker.mjs).
    // A worker's live data is small (pools, allocations, one chunk); a capped heap makes V8
    // collect the generated strings early instead of growing RSS (goal: < 500 MB at scale 100).
    const w = new Worker(new URL('./copy-worker.mjs', import.meta.url), {
      workerData: { url, seed: ctx.seed, scale: ctx.scale, pools: ctx.pools },
      resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
    });
    workers.push(w);
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        if (started) next(w);
        else ready.push(w);
      } else if (m.type === 'progress') onProgress?.(m.e!);
      else if (m.type === 'done') {
        const rowsPerSec = m.ms! > 0 ? (m.rows! * 1000) / m.ms! : m.rows!;
        results.set(m.table!, { table: m.table!, rows: m.rows!, ms: m.ms!, rowsPerSec });
        next(w);
      } else if (m.type === 'error') fail(Object.assign(new Error(m.message), { code: m.code }));
    });
    w.on('error', fail);
    w.on('exit', () => {
      if (++finished === n && !failed) settle?.resolve(GENERATORS.map((g) => results.get(g.table)!).filter(Boolean));
    });
  }
  return {
    load(progress) {
      onProgress = progress;
      started = true;
      return new Promise<TableLoad[]>((resolve, reject) => {
        settle = { resolve, reject };
        if (failed) return reject(earlyError);
        for (const w of ready.splice(0)) next(w);
      });
    },
    async stop() {
      failed = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Runs the COPY of every table in worker threads; rejects with the first failure. */
export function loadInWorkers(
  url: string,
  ctx: GenContext,
  parallel: number,
  onProgress?: (p: TableProgress) => void,
): Promise<TableLoad[]> {
  return startWorkers(url, ctx, parallel).load(onProgress);
}
