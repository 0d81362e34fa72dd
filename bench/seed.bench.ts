/**
 * Seed throughput beside its two peers, on the same server in the same run
 * (`npm run bench:seed [-- --scale 10 --rounds 2 --parallel 2]`).
 *
 *  - ours: seedDatabase with its defaults (in a child process of its own, so
 *    its peak RSS is the seed's alone): COPY of all 17 tables, then keys,
 *    indexes, foreign keys and their validation, sequences, ANALYZE. Phases
 *    from SeedSummary.phases.
 *  - files: the same rows, generated once into one file per table (untimed),
 *    loaded into the tables of migration 001 by `--parallel` concurrent `psql`
 *    processes, each `BEGIN; TRUNCATE; \copy ... WITH (FORMAT text, FREEZE);
 *    COMMIT` (ours' COPY options), largest table first; then
 *    `psql -f 002_keys_indexes.sql` (the same keys, indexes and constraints);
 *    then `vacuumdb --analyze-only -j <parallel> -t <each suite table>`. Each
 *    phase timed by wall clock.
 *  - pgbench -i -s N: its default steps (simpler rows, one index per table).
 *
 * Rows/s = rows / wall time. Prints a table, then as its LAST line one JSON
 * object with every figure. All three databases (acgs_bench_seed_*) are
 * dropped at the end.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { seedDatabase, type SeedSummary } from '../seed/index.ts';
import { buildContext } from '../seed/context.ts';
import { GENERATORS } from '../seed/generators/index.ts';
import { ensureDatabase } from '../services/postgres.ts';
import { tempDir } from '../test/helpers/temp.ts';

const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIGRATIONS_DIR = join(ROOT, 'schema', 'migrations');
const SEED = 42;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function urlOf(db: string): string {
  const u = new URL(ADMIN);
  u.pathname = '/' + db;
  return u.toString();
}

/** psql/pgbench/vacuumdb connection arguments for `db`. */
function connArgs(db: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(ADMIN);
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres'];
  return { args: [...args, '-d', db], env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } };
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

async function freshDb(name: string): Promise<void> {
  await dropDb(name);
  await ensureDatabase(urlOf(name));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out + err) : reject(new Error(`${cmd} failed (${code}): ${err}`))));
  });
}

/**
 * Samples what the database's COPY backends wait on, every 25 ms, while a
 * load runs: `ClientRead` means the backend had consumed everything sent and
 * waited for the client (generation not keeping up); anything else (running,
 * WAL, extending files) means PostgreSQL was the bound.
 */
function sampleCopyWaits(db: string): { stop(): Promise<{ samples: number; clientRead: number }> } {
  const c = new pg.Client({ connectionString: ADMIN });
  let samples = 0;
  let clientRead = 0;
  let on = true;
  const loop = (async () => {
    await c.connect();
    while (on) {
      const r = await c.query<{ w: string | null }>(
        "SELECT wait_event AS w FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query ILIKE 'copy%'",
        [db],
      );
      for (const row of r.rows) {
        samples++;
        if (row.w === 'ClientRead') clientRead++;
      }
      await new Promise((res) => setTimeout(res, 25));
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      await c.end();
      return { samples, clientRead };
    },
  };
}

interface Phases {
  copyMs: number;
  keysMs: number;
  analyzeMs: number;
}
interface Result {
  rows: number;
  ms: number;
  phases?: Phases;
  maxRssMb?: number;
  /** Share of COPY-backend samples waiting for the client (ClientRead), in %. */
  clientReadPct?: number;
}

async function sampled<T extends Result>(db: string, run: () => Promise<T>): Promise<T> {
  const sampler = sampleCopyWaits(db);
  const r = await run();
  const { samples, clientRead } = await sampler.stop();
  return { ...r, clientReadPct: samples > 0 ? (100 * clientRead) / samples : undefined };
}

/** Child mode: one seed in this process, its summary and peak RSS on stdout as JSON. */
async function child(db: string, scale: number, parallel: number): Promise<void> {
  const s: SeedSummary = await seedDatabase({ databaseUrl: urlOf(db), scale, seed: SEED, fresh: true, parallel });
  if (s.skipped) throw new Error('the seed was skipped: the bench database was not fresh');
  const maxRssMb = process.resourceUsage().maxRSS / 1024; // covers the worker threads (same process)
  console.log(JSON.stringify({ rows: s.totalRows, ms: s.totalMs, phases: s.phases, maxRssMb }));
}

async function runOurs(db: string, scale: number, parallel: number): Promise<Result> {
  const out = await run(
    process.execPath,
    [
      join(ROOT, 'bin', 'run-ts.js'),
      fileURLToPath(import.meta.url),
      '--child',
      db,
      '--scale',
      String(scale),
      '--parallel',
      String(parallel),
    ],
    process.env,
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Result;
}

/** Generation alone, no I/O: every row of every table built into COPY text chunks as the loader does; one thread's CPU time. */
function generateOnly(scale: number): { rows: number; cpuMs: number; ms: number } {
  const ctx = buildContext(SEED, scale);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let rows = 0;
  let bytes = 0;
  for (const g of GENERATORS) {
    const row = g.prepare(ctx);
    const n = g.count(ctx);
    for (let i = 0; i < n;) {
      let chunk = '';
      for (const end = Math.min(n, i + 512); i < end; i++) chunk += row(i) + '\n';
      bytes += Buffer.byteLength(chunk);
    }
    rows += n;
  }
  const cpu = process.cpuUsage(cpu0);
  if (bytes === 0) throw new Error('generation produced no bytes');
  return { rows, cpuMs: (cpu.user + cpu.system) / 1000, ms: performance.now() - t0 };
}

/** Writes every table's rows (the seed's own generators) into `<dir>/<table>.copy`; untimed setup. */
async function dumpFiles(
  dir: string,
  scale: number,
): Promise<Array<{ table: string; columns: string; rows: number; file: string }>> {
  const ctx = buildContext(SEED, scale);
  const out = [];
  for (const g of GENERATORS) {
    const file = join(dir, `${g.table}.copy`);
    const ws = createWriteStream(file);
    const row = g.prepare(ctx);
    const n = g.count(ctx);
    for (let i = 0; i < n;) {
      let chunk = '';
      for (const end = Math.min(n, i + 1024); i < end; i++) chunk += row(i) + '\n';
      if (!ws.write(chunk)) await once(ws, 'drain');
    }
    ws.end();
    await once(ws, 'finish');
    out.push({ table: g.table, columns: g.columns.join(', '), rows: n, file });
  }
  return out.sort((a, b) => b.rows - a.rows);
}

async function runFiles(db: string, files: Awaited<ReturnType<typeof dumpFiles>>, parallel: number): Promise<Result> {
  const { args, env } = connArgs(db);
  const psql = (...extra: string[]) => run('psql', [...args, '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...extra], env);
  await psql('-f', join(MIGRATIONS_DIR, '001_tables.sql'));
  const t0 = performance.now();
  const queue = [...files];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const copy = `\\copy ${f.table} (${f.columns}) FROM '${f.file}' WITH (FORMAT text, FREEZE)`;
        await psql('-c', 'BEGIN', '-c', `TRUNCATE ${f.table}`, '-c', copy, '-c', 'COMMIT');
      }
    }),
  );
  const t1 = performance.now();
  await psql('-f', join(MIGRATIONS_DIR, '002_keys_indexes.sql'));
  const t2 = performance.now();
  // The suite's tables only, as ours (vacuumdb alone would analyze the system catalogs too).
  const tables = ['acgs_meta', ...files.map((f) => f.table)].flatMap((t) => ['-t', t]);
  await run('vacuumdb', [...args, '--analyze-only', '-q', '-j', String(parallel), ...tables], env);
  const t3 = performance.now();
  const rows = files.reduce((a, f) => a + f.rows, 0);
  return { rows, ms: t3 - t0, phases: { copyMs: t1 - t0, keysMs: t2 - t1, analyzeMs: t3 - t2 } };
}

async function runPgbench(db: string, scale: number): Promise<Result & { detail: string }> {
  await freshDb(db);
  const { args, env } = connArgs(db);
  const t0 = performance.now();
  const out = await run('pgbench', ['-i', '-s', String(scale), ...args.slice(0, -2), db], env);
  const ms = performance.now() - t0;
  const detail = /done in ([\d.]+) s \((.*)\)/.exec(out)?.[0] ?? '';
  // pgbench -i rows: 100000 accounts, 10 tellers and 1 branch per scale unit.
  return { rows: scale * 100_011, ms, detail };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(2));

const WIDTHS = [22, 11, 8, 10, 8, 10, 8, 9, 7, 11];
const HEAD = ['', 'rows', 'total s', 'rows/s', 'COPY s', 'COPY r/s', 'keys s', 'analyze s', 'RSS MB', 'ClientRead'];
const row = (cells: string[]) => cells.map((c, k) => (k === 0 ? c.padEnd(WIDTHS[k]) : c.padStart(WIDTHS[k]))).join(' ');

function line(name: string, r: Result): string {
  const p = r.phases;
  return row([
    name,
    fmt(r.rows),
    sec(r.ms),
    fmt((r.rows * 1000) / r.ms),
    sec(p?.copyMs),
    p && p.copyMs > 0 ? fmt((r.rows * 1000) / p.copyMs) : '-',
    sec(p?.keysMs),
    sec(p?.analyzeMs),
    r.maxRssMb === undefined ? '-' : r.maxRssMb.toFixed(0),
    r.clientReadPct === undefined ? '-' : r.clientReadPct.toFixed(0) + ' %',
  ]);
}

async function main(): Promise<void> {
  const scale = arg('scale', 10);
  const rounds = arg('rounds', 2);
  const parallel = arg('parallel', 2);
  const dbs = {
    ours: `acgs_bench_seed_${process.pid}`,
    files: `acgs_bench_seed_files_${process.pid}`,
    pgbench: `acgs_bench_seed_pgbench_${process.pid}`,
  };
  console.log(
    `seed benchmark: scale ${scale}, ${rounds} round(s), ${parallel} parallel streams, server ${new URL(ADMIN).host}`,
  );
  const dir = tempDir('acgs-bench-seed-');
  const json: Record<string, unknown> = { scale, parallel, rounds: [] as unknown[] };
  try {
    const g0 = performance.now();
    const files = await dumpFiles(dir, scale);
    console.log(`files peer: ${files.length} files written in ${sec(performance.now() - g0)} s (untimed setup)`);
    const gen = generateOnly(scale);
    const genRate = (gen.rows * 1000) / gen.cpuMs;
    console.log(
      `generation alone (one thread, no I/O): ${fmt(gen.rows)} rows in ${sec(gen.cpuMs)} s of CPU (${sec(gen.ms)} s wall) = ${fmt(genRate)} rows/s per core`,
    );
    json.generation = { rows: gen.rows, cpuMs: gen.cpuMs, ms: gen.ms, rowsPerCpuSec: genRate };
    for (let r = 1; r <= rounds; r++) {
      await freshDb(dbs.ours);
      const ours = await sampled(dbs.ours, () => runOurs(dbs.ours, scale, parallel));
      await dropDb(dbs.ours);
      await freshDb(dbs.files);
      const peer = await sampled(dbs.files, () => runFiles(dbs.files, files, parallel));
      await dropDb(dbs.files);
      const bench = await runPgbench(dbs.pgbench, scale);
      await dropDb(dbs.pgbench);
      console.log(`round ${r}`);
      console.log('  ' + row(HEAD));
      console.log('  ' + line('acgs-load seed', ours));
      console.log('  ' + line('files + psql \\copy', peer));
      console.log('  ' + line(`pgbench -i -s ${scale}`, bench) + `  (${bench.detail})`);
      const ratio = peer.ms / ours.ms;
      const copyRatio = peer.phases!.copyMs / ours.phases!.copyMs;
      console.log(
        `  ours vs files: ${(100 * ratio).toFixed(0)} % of the files peer's speed in all (goal >= 100 %), ${(100 * copyRatio).toFixed(0)} % in the COPY phase`,
      );
      (json.rounds as unknown[]).push({
        ours,
        files: peer,
        pgbench: { rows: bench.rows, ms: bench.ms },
        oursVsFilesPct: 100 * ratio,
        oursVsFilesCopyPct: 100 * copyRatio,
        oursCopyRowsPerSec: ours.phases ? (ours.rows * 1000) / ours.phases.copyMs : null,
      });
    }
  } finally {
    for (const db of Object.values(dbs)) await dropDb(db);
  }
  console.log(
    'COPY s: ours from handing out the first table to the last commit (the drop and re-creation of the tables before it are in total s only); files: the psql processes.',
  );
  console.log(
    "ClientRead: share of the COPY backends' samples (every 25 ms) spent waiting for the client; near the files peer's = generation hidden behind COPY.",
  );
  console.log(JSON.stringify(json));
}

if (process.argv.includes('--child')) {
  await child(process.argv[process.argv.indexOf('--child') + 1], arg('scale', 10), arg('parallel', 2));
} else {
  await main();
}
