/**
 * Seed throughput next to pgbench's own loader, on the same server in the
 * same run (`npm run bench:seed [-- --scale 10 --rounds 1]`).
 *
 *  - acgs-load: seedDatabase into a throw-away-named database: COPY of all 17
 *    tables, then keys, indexes, foreign-key validation, sequences, ANALYZE.
 *  - pgbench -i -s N into its own database: its default steps (drop, create,
 *    client-side generate via COPY, vacuum, primary keys).
 * Rows/s = rows loaded / wall time of the whole command. Also printed: our
 * COPY-phase rows/s alone and the peak RSS of this process (resourceUsage).
 * Both databases are dropped afterwards.
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { seedDatabase } from '../seed/index.ts';
import { ensureDatabase } from '../services/postgres.ts';

const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function urlOf(db: string): string {
  const u = new URL(ADMIN);
  u.pathname = '/' + db;
  return u.toString();
}

async function dropDb(name: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

async function runOurs(db: string, scale: number, parallel: number, threads: boolean) {
  await dropDb(db);
  await ensureDatabase(urlOf(db));
  const t0 = performance.now();
  let copyDone = 0;
  const s = await seedDatabase({
    databaseUrl: urlOf(db),
    scale,
    seed: 42,
    fresh: true,
    parallel,
    threads,
    onProgress: (e) => {
      if (e.done) copyDone = performance.now() - t0;
    },
  });
  return { rows: s.totalRows, ms: s.totalMs, copyMs: copyDone };
}

function runPgbench(db: string, scale: number) {
  const u = new URL(ADMIN);
  const args = [
    '-i',
    '-s',
    String(scale),
    '-h',
    u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    decodeURIComponent(u.username) || 'postgres',
    db,
  ];
  const t0 = performance.now();
  const r = spawnSync('pgbench', args, {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`pgbench failed: ${r.stderr}`);
  const done = /done in ([\d.]+) s \((.*)\)/.exec(r.stderr)?.[0] ?? '';
  // pgbench -i rows: 100000 accounts, 10 tellers and 1 branch per scale unit.
  return { rows: scale * 100_011, ms, detail: done };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const scale = arg('scale', 10);
  const rounds = arg('rounds', 1);
  const parallel = arg('parallel', 2);
  const ours = `acgs_bench_seed_${process.pid}`;
  const theirs = `acgs_bench_pgbench_${process.pid}`;
  console.log(
    `seed benchmark: scale ${scale}, ${rounds} round(s), ${parallel} parallel COPY streams, server ${new URL(ADMIN).host}`,
  );
  try {
    for (let r = 1; r <= rounds; r++) {
      await dropDb(theirs);
      await ensureDatabase(urlOf(theirs));
      const b = runPgbench(theirs, scale);
      const bRate = (b.rows * 1000) / b.ms;
      console.log(`round ${r}`);
      console.log(
        `  pgbench -i -s ${scale}            ${fmt(b.rows).padStart(11)} rows  ${(b.ms / 1000).toFixed(2).padStart(7)} s  ${fmt(bRate).padStart(9)} rows/s  (pgbench: ${b.detail})`,
      );
      for (const threads of [true, false]) {
        const a = await runOurs(ours, scale, parallel, threads);
        const aRate = (a.rows * 1000) / a.ms;
        console.log(
          `  acgs-load seed (${threads ? 'worker threads' : 'one thread   '}) ${fmt(a.rows).padStart(11)} rows  ${(a.ms / 1000).toFixed(2).padStart(7)} s  ${fmt(aRate).padStart(9)} rows/s  = ${((100 * aRate) / bRate).toFixed(1)} % of pgbench  (COPY phase alone: ${fmt((a.rows * 1000) / a.copyMs)} rows/s in ${(a.copyMs / 1000).toFixed(2)} s)`,
        );
      }
    }
    // maxRSS covers the worker threads too (they share the process).
    console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await dropDb(ours);
    await dropDb(theirs);
  }
}

await main();
