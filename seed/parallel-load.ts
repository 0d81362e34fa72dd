/**
 * Loads every table over `parallel` worker threads, each with its own
 * connection, handing out tables largest first so the tail is short. Row
 * generation is CPU-bound JavaScript: in one thread it caps the load at one
 * core whatever PostgreSQL could take.
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

/** Runs the COPY of every table in worker threads; rejects with the first failure. */
export function loadInWorkers(
  url: string,
  ctx: GenContext,
  parallel: number,
  onProgress?: (p: TableProgress) => void,
): Promise<TableLoad[]> {
  const queue = [...GENERATORS].sort((a, b) => b.count(ctx) - a.count(ctx)).map((g) => g.table);
  const results = new Map<string, TableLoad>();
  const workers: Worker[] = [];
  return new Promise<TableLoad[]>((resolve, reject) => {
    let failed = false;
    let finished = 0;
    const n = Math.max(1, Math.min(parallel, queue.length));
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(e);
    };
    for (let k = 0; k < n; k++) {
      // A plain .mjs entry that registers tsx first (see copy-worker.mjs).
      // A worker's live data is small (pools, allocations, one chunk); a capped heap makes V8
      // collect the generated strings early instead of growing RSS (goal: < 500 MB at scale 100).
      const w = new Worker(new URL('./copy-worker.mjs', import.meta.url), {
        workerData: { url, seed: ctx.seed, scale: ctx.scale },
        resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
      });
      workers.push(w);
      const next = () => w.postMessage({ table: failed ? null : (queue.shift() ?? null) });
      w.on(
        'message',
        (m: {
          type: string;
          e?: TableProgress;
          table?: string;
          rows?: number;
          ms?: number;
          message?: string;
          code?: string;
        }) => {
          if (m.type === 'ready') next();
          else if (m.type === 'progress') onProgress?.(m.e!);
          else if (m.type === 'done') {
            results.set(m.table!, {
              table: m.table!,
              rows: m.rows!,
              ms: m.ms!,
              rowsPerSec: m.ms! > 0 ? (m.rows! * 1000) / m.ms! : m.rows!,
            });
            next();
          } else if (m.type === 'error') fail(Object.assign(new Error(m.message), { code: m.code }));
        },
      );
      w.on('error', fail);
      w.on('exit', () => {
        if (++finished === n && !failed) resolve(GENERATORS.map((g) => results.get(g.table)!).filter(Boolean));
      });
    }
  });
}
