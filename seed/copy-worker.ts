/**
 * A worker thread that generates and COPYs tables, so row generation (the
 * CPU-heavy part of seeding) uses more than one core. The parent hands out
 * table names one at a time (largest first) and receives progress and
 * results; see seed-database.ts. Protocol:
 *   worker -> parent: {type:'ready'} | {type:'progress', e} | {type:'done', table, rows, ms} | {type:'error', message, code}
 *   parent -> worker: {table: string} | {table: null} (finish)
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildContext } from './context.ts';
import { GENERATORS } from './generators/index.ts';
import { copyTable } from './loader.ts';
import { connectPg } from '../services/index.ts';

const { url, seed, scale } = workerData as { url: string; seed: number; scale: number };
const port = parentPort!;
const ctx = buildContext(seed, scale);
const client = await connectPg(url, 'seeding');

port.on('message', async (msg: { table: string | null }) => {
  if (msg.table === null) {
    await client.end().catch(() => {});
    port.close();
    return;
  }
  const gen = GENERATORS.find((g) => g.table === msg.table)!;
  try {
    const r = await copyTable(client, ctx, gen, (e) => port.postMessage({ type: 'progress', e }));
    port.postMessage({ type: 'done', table: gen.table, rows: r.rows, ms: r.ms });
  } catch (e) {
    const err = e as { message?: string; code?: string };
    port.postMessage({ type: 'error', message: String(err?.message ?? e), code: err?.code });
  }
});
port.postMessage({ type: 'ready' });
