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
import type { Pools } from './pools.ts';
import { GENERATORS } from './generators/index.ts';
import { copyTable } from './loader.ts';
import { connectPg } from '../services/index.ts';

const { url, seed, scale, pools } = workerData as { url: string; seed: number; scale: number; pools: Pools };
const port = parentPort!;
const connecting = connectPg(url, 'seeding'); // the handshake proceeds while the context is built
const ctx = buildContext(seed, scale, pools);
const client = await connecting;

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
