/**
 * Streams one table into PostgreSQL with COPY ... FROM STDIN (text format).
 *
 * Rows are generated in chunks of a few hundred lines and written only when
 * the stream accepts them (backpressure), so memory stays flat whatever the
 * table size. The COPY runs in the transaction that truncated the table, with
 * FREEZE: rows are written frozen and need no later hint-bit/VACUUM pass (the
 * PostgreSQL manual, COPY, FREEZE; pgbench -i does the same).
 */
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { GenContext } from './context.ts';
import type { TableGenerator } from './generators/index.ts';

/** Progress of one table while it loads. */
export interface TableProgress {
  table: string;
  rows: number;
  totalRows: number;
  rowsPerSec: number;
  done: boolean;
}

const CHUNK_ROWS = 512;
const REPORT_EVERY_MS = 250;

/** Loads all rows of `gen` through `client`; resolves with the rows written and the time taken. */
export async function copyTable(
  client: pg.Client,
  ctx: GenContext,
  gen: TableGenerator,
  onProgress?: (p: TableProgress) => void,
): Promise<{ rows: number; ms: number }> {
  const total = gen.count(ctx);
  const row = gen.prepare(ctx);
  const started = performance.now();
  let lastReport = started;
  const report = (rows: number, done: boolean) => {
    const secs = (performance.now() - started) / 1000;
    onProgress?.({ table: gen.table, rows, totalRows: total, rowsPerSec: secs > 0 ? rows / secs : 0, done });
  };

  await client.query('BEGIN');
  try {
    await client.query(`TRUNCATE ${gen.table}`);
    const stream = client.query(
      copyFrom(`COPY ${gen.table} (${gen.columns.join(', ')}) FROM STDIN WITH (FORMAT text, FREEZE)`),
    );
    const finished = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    let failed: unknown;
    stream.on('error', (e) => (failed = e));
    for (let i = 0; i < total && failed === undefined;) {
      const end = Math.min(total, i + CHUNK_ROWS);
      let chunk = '';
      for (; i < end; i++) chunk += row(i) + '\n';
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), finished]);
      const now = performance.now();
      if (now - lastReport >= REPORT_EVERY_MS) {
        lastReport = now;
        report(i, false);
      }
    }
    stream.end();
    await finished;
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
  const ms = performance.now() - started;
  report(total, true);
  return { rows: total, ms };
}
