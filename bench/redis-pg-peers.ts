/**
 * What the data-path benches (checks, warm) share: the admin connection to
 * PostgreSQL for their own databases, and redis-benchmark as a peer.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';

export const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The URL of database `name` on the admin connection's server. */
export function dbUrl(name: string): string {
  const u = new URL(ADMIN);
  u.pathname = '/' + name;
  return u.toString();
}

/** One statement on the admin connection; its rows. */
export async function admin(sql: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

/**
 * `redis-benchmark -n N -P 16 -r RANGE --csv ... COMMAND...` against REDIS_URL
 * (`__rand_int__` in the command is replaced by a random number below RANGE);
 * the requests per second it reports.
 */
export function redisBenchmark(n: number, range: number, extra: string[], command: string[]): Promise<number> {
  const u = new URL(REDIS_URL);
  const args = ['-h', u.hostname, '-p', u.port || '6379', '-n', String(n), '-P', '16', '-r', String(range)];
  return new Promise((resolve, reject) => {
    const p = spawn('redis-benchmark', [...args, ...extra, '--csv', ...command], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => {
      // --csv: "test","rps",...  then one line per test.
      const rps = Number((out.trim().split('\n').at(-1) ?? '').split(',')[1]?.replace(/"/g, ''));
      if (code !== 0 || !(rps > 0)) return reject(new Error(`redis-benchmark failed (exit ${code}): ${out}`));
      resolve(rps);
    });
  });
}
