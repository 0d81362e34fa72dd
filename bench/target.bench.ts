/**
 * `npm run bench:target`: the target's throughput and latency beside its two
 * stores, measured in one run on one machine.
 *
 *  - seeds scale 1 into its own database `acgs_bench_target` (skipped when the
 *    fingerprint already matches), keys under `bench_target:`;
 *  - starts two targets as child processes (so autocannon and the service do
 *    not share an event loop): one with Redis, one with Redis pointed at a
 *    closed port, which makes every read go to PostgreSQL ("uncached");
 *  - drives them with autocannon at 10 and 100 connections: a cached read, an
 *    uncached read of each query type, and a write;
 *  - runs `redis-benchmark -t get` and `pgbench -S` (in a scratch database
 *    `acgs_bench_pgbench` it initialises) at the same client counts.
 * Prints one table: req/s, p50 and p99 per case. Figures, not assertions.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { Redis } from 'ioredis';
import { seedDatabase } from '../seed/index.ts';
import { ensureDatabase } from '../services/index.ts';

const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'bench_target:';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = [10, 100];
const dbUrl = (name: string) => Object.assign(new URL(ADMIN), { pathname: `/${name}` }).toString();

/** `msResolution`: autocannon records whole milliseconds, so 0 means "under 1 ms". */
interface Row {
  case: string;
  conns: number;
  rps: number;
  p50: number;
  p99: number;
  note: string;
  wholeMs?: boolean;
}
const rows: Row[] = [];

async function clearPrefix(): Promise<void> {
  const r = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.unlink(...keys);
  } while (cursor !== '0');
  r.disconnect();
}

/** Starts `acgs-load target` as a child process; resolves with its URL. */
function startApi(
  databaseUrl: string,
  redisUrl: string,
  profile: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['bin/acgs-load.js', 'target', '--profile', profile, '--port', '0', '--no-warm'],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, ACGS_REDIS_PREFIX: PREFIX },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m)
        resolve({
          url: m[1],
          stop: () =>
            new Promise((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`target exited with ${code}: ${out}`)));
  });
}

async function drive(name: string, url: string, conns: number, opts: Partial<autocannon.Options> = {}): Promise<void> {
  const r = await autocannon({ url, connections: conns, duration: SECONDS, ...opts });
  const bad = r.non2xx + r.errors + r.timeouts;
  rows.push({
    case: name,
    conns,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    note: bad ? `${bad} non-2xx/errors` : '',
    wholeMs: true,
  });
}

function redisBenchmark(conns: number): void {
  const u = new URL(REDIS_URL);
  const res = spawnSync(
    'redis-benchmark',
    [
      '-h',
      u.hostname,
      '-p',
      u.port || '6379',
      '-t',
      'get',
      '-n',
      String(20_000 * SECONDS),
      '-c',
      String(conns),
      '--csv',
    ],
    { encoding: 'utf8' },
  );
  const line = res.stdout.split('\n').find((l) => l.startsWith('"GET"'));
  if (!line)
    return void rows.push({
      case: 'redis-benchmark GET',
      conns,
      rps: NaN,
      p50: NaN,
      p99: NaN,
      note: res.stderr.trim().slice(0, 80),
    });
  const f = line.split(',').map((x) => x.replace(/"/g, ''));
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  rows.push({ case: 'redis-benchmark GET', conns, rps: Number(f[1]), p50: Number(f[4]), p99: Number(f[6]), note: '' });
}

function pgbench(url: string, conns: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'acgs-pgbench-'));
  const res = spawnSync(
    'pgbench',
    ['-S', '-n', '-c', String(conns), '-j', '2', '-T', String(SECONDS), '-l', `--log-prefix=${join(dir, 'tx')}`, url],
    { encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+)/.exec(res.stdout)?.[1];
  // Per-transaction log: client_id tx_no latency_us script_no epoch epoch_us.
  const lat = readdirSync(dir)
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => Number(l.split(' ')[2]) / 1000),
    )
    .sort((a, b) => a - b);
  rmSync(dir, { recursive: true, force: true });
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  rows.push({
    case: 'pgbench -S (select by key)',
    conns,
    rps: Number(tps),
    p50: pct(0.5),
    p99: pct(0.99),
    note: tps ? '' : res.stderr.trim().slice(0, 80),
  });
}

/** Client slots PostgreSQL has left (max_connections minus those in use minus a margin for the others on the machine). */
async function freeConnections(): Promise<number> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  const r = await c.query(
    "SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity)::int AS free",
  );
  await c.end();
  return r.rows[0].free - 10;
}

function table(): string {
  const head = '| case | connections | req/s | p50 ms | p99 ms | note |\n| --- | ---: | ---: | ---: | ---: | --- |';
  const f = (n: number) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(2)) : 'n/a');
  const ms = (n: number, whole?: boolean) => (whole ? (n < 1 ? '<1' : n.toFixed(0)) : f(n));
  const lines = rows.map(
    (r) => `| ${r.case} | ${r.conns} | ${f(r.rps)} | ${ms(r.p50, r.wholeMs)} | ${ms(r.p99, r.wholeMs)} | ${r.note} |`,
  );
  return [
    head,
    ...lines,
    '',
    'autocannon latencies are whole milliseconds; redis-benchmark and pgbench (from its per-transaction log) are finer.',
  ].join('\n');
}

async function main(): Promise<void> {
  const targetDb = dbUrl('acgs_bench_target');
  await ensureDatabase(targetDb);
  const seed = await seedDatabase({ databaseUrl: targetDb, scale: 1, seed: 42 });
  process.stderr.write(
    `seed: ${seed.skipped ? 'fingerprint matched, reused' : `${seed.totalRows} rows in ${(seed.totalMs / 1000).toFixed(1)} s`}\n`,
  );
  await clearPrefix();
  // The report's pool is 25 + 35; on a shared server two targets may not both get 60 connections.
  const perTarget = Math.max(4, Math.min(60, Math.floor((await freeConnections()) / 2)));
  const pool = { size: Math.min(25, perTarget), overflow: Math.max(0, perTarget - 25) };
  const dir = mkdtempSync(join(tmpdir(), 'acgs-bench-target-'));
  const profile = join(dir, 'bench.json');
  writeFileSync(profile, JSON.stringify({ pool }));
  process.stderr.write(`target pool: size ${pool.size} + overflow ${pool.overflow}\n`);
  const cached = await startApi(targetDb, REDIS_URL, profile);
  const uncached = await startApi(targetDb, 'redis://127.0.0.1:1', profile); // nothing listens: every read BYPASSes
  try {
    const c = new pg.Client({ connectionString: targetDb });
    await c.connect();
    const actor = (await c.query('SELECT actor_id FROM audit_log GROUP BY actor_id ORDER BY count(*) DESC LIMIT 1'))
      .rows[0].actor_id;
    const amendment = (await c.query("SELECT id FROM amendments WHERE status = 'open' ORDER BY id LIMIT 1")).rows[0].id;
    await c.end();
    await fetch(`${cached.url}/api/v1/principles/1`); // fill the one key the cached case reads
    const reads: Array<[string, string]> = [
      ['uncached simple: GET /principles/1', '/api/v1/principles/1'],
      ['uncached join: GET /policies/1', '/api/v1/policies/1'],
      ['uncached aggregation: GET /amendments/:id/tally', `/api/v1/amendments/${amendment}/tally`],
      ['uncached complex: GET /policies/1/compliance-report', '/api/v1/policies/1/compliance-report'],
      ['uncached index_scan: GET /audit?actorId&limit=50', `/api/v1/audit?actorId=${actor}&limit=50`],
    ];
    for (const conns of CONNECTIONS) {
      await drive('cached read (HIT): GET /principles/1', `${cached.url}/api/v1/principles/1`, conns);
      for (const [name, path] of reads) await drive(name, uncached.url + path, conns);
      await drive('write: POST /decisions', `${cached.url}/api/v1/decisions`, conns, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ policyId: 1, subjectId: 1, action: 'read', resource: 'document' }),
      });
      redisBenchmark(conns);
    }
  } finally {
    await cached.stop();
    await uncached.stop();
    await clearPrefix();
    rmSync(dir, { recursive: true, force: true });
  }
  const scratch = dbUrl('acgs_bench_pgbench');
  await ensureDatabase(scratch);
  spawnSync('pgbench', ['-i', '-s', '1', '-q', scratch], { encoding: 'utf8' });
  const free = await freeConnections();
  for (const conns of CONNECTIONS) pgbench(scratch, Math.max(1, Math.min(conns, free)));
  process.stdout.write(
    `\nacgs-load target benchmark (${SECONDS} s per case, autocannon; target pool ${pool.size}+${pool.overflow}; peers in the same run)\n\n${table()}\n`,
  );
}

await main();
