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
 *  - beside the cached read, the same autocannon run against a fastify route
 *    answering the same JSON from memory (bench/target-memory-peer.ts, a
 *    child process of its own): what the target's Redis round trip,
 *    hooks, metrics and Server-Timing cost over plain fastify;
 *  - beside the write at 10 connections, pgbench's built-in TPC-B-like script
 *    at 10 clients (`pgbench -c 10 -j 2`, a scratch database `acgs_bench_pgbench`
 *    initialised with `pgbench -i`), on the same server settings;
 *  - runs `redis-benchmark -t get` and `pgbench -S` (select by key, same
 *    scratch database) at the same client counts.
 * Prints one table: req/s, p50 and p99 per case, then as its last line one
 * JSON object with every figure and the two ratios. Figures, not assertions.
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
/** A run of a side-by-side pair that warms up and is not recorded. */
const WARM_UP = 'warm-up';
const WARM_SECONDS = 2;
/** pgbench's TPC-B-like peer of the write runs at this many clients (the issue's figure). */
const TPCB_CLIENTS = 10;
const dbUrl = (name: string) => Object.assign(new URL(ADMIN), { pathname: `/${name}` }).toString();

/** `wholeMs`: autocannon records whole milliseconds, so 0 means "under 1 ms". */
interface Row {
  /** Stable name of the figure in the JSON line. */
  id: string;
  case: string;
  conns: number;
  rps: number;
  p50: number;
  p99: number;
  note: string;
  wholeMs?: boolean;
  /** Requests or transactions the figure is made of (0 is no data, never a figure). */
  samples: number;
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

interface Child {
  url: string;
  stop: () => Promise<void>;
}

/** Spawns a server process that prints `listening on URL`; resolves with that URL. */
function startChild(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Child> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'inherit'],
  });
  if (stdin !== undefined) child.stdin?.end(stdin);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m)
        resolve({
          url: m[1],
          stop: () =>
            new Promise((r) => {
              if (child.exitCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

/** Starts `acgs-load target` as a child process. */
function startApi(databaseUrl: string, redisUrl: string, profile: string): Promise<Child> {
  return startChild(['bin/acgs-load.js', 'target', '--profile', profile, '--port', '0', '--no-warm'], {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    ACGS_REDIS_PREFIX: PREFIX,
  });
}

async function drive(
  id: string,
  name: string,
  url: string,
  conns: number,
  opts: Partial<autocannon.Options> = {},
  rep = '',
): Promise<void> {
  if (rep === WARM_UP) return void (await autocannon({ url, connections: conns, duration: WARM_SECONDS, ...opts }));
  const r = await autocannon({ url, connections: conns, duration: SECONDS, ...opts });
  const bad = r.non2xx + r.errors + r.timeouts;
  rows.push({
    id: `${id}@${conns}${rep}`,
    case: name,
    conns,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    note: bad ? `${bad} non-2xx/errors` : '',
    wholeMs: true,
    samples: r.requests.total,
  });
}

function redisBenchmark(conns: number): void {
  const u = new URL(REDIS_URL);
  const n = 20_000 * SECONDS;
  const res = spawnSync(
    'redis-benchmark',
    ['-h', u.hostname, '-p', u.port || '6379', '-t', 'get', '-n', String(n), '-c', String(conns), '--csv'],
    { encoding: 'utf8' },
  );
  const line = res.stdout.split('\n').find((l) => l.startsWith('"GET"'));
  const id = `redis_benchmark_get@${conns}`;
  if (!line)
    return void rows.push({
      id,
      case: 'redis-benchmark GET',
      conns,
      rps: NaN,
      p50: NaN,
      p99: NaN,
      note: res.stderr.trim().slice(0, 80),
      samples: 0,
    });
  const f = line.split(',').map((x) => x.replace(/"/g, ''));
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  rows.push({
    id,
    case: 'redis-benchmark GET',
    conns,
    rps: Number(f[1]),
    p50: Number(f[4]),
    p99: Number(f[6]),
    note: '',
    samples: n,
  });
}

/** Runs pgbench (`-S`: select by key; none: the built-in TPC-B-like script) and reads its per-transaction log. */
function pgbench(url: string, conns: number, script: '-S' | 'tpcb', rep = ''): void {
  if (rep === WARM_UP) {
    spawnSync('pgbench', ['-n', '-c', String(conns), '-j', '2', '-T', String(WARM_SECONDS), url], { encoding: 'utf8' });
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'acgs-pgbench-'));
  const args = ['-n', '-c', String(conns), '-j', '2', '-T', String(SECONDS), '-l', `--log-prefix=${join(dir, 'tx')}`];
  const res = spawnSync('pgbench', [...(script === '-S' ? ['-S'] : []), ...args, url], { encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(res.stdout)?.[1];
  // Per-transaction log: client_id tx_no latency_us script_no epoch epoch_us.
  const lat = readdirSync(dir)
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => Number(l.split(' ')[2]) / 1000),
    )
    .sort((a, b) => a - b);
  rmSync(dir, { recursive: true, force: true });
  const pct = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
  rows.push({
    id: `${script === '-S' ? 'pgbench_select' : 'pgbench_tpcb'}@${conns}${rep}`,
    case: script === '-S' ? 'pgbench -S (select by key)' : 'pgbench TPC-B-like (built-in script)',
    conns,
    rps: tps ? Number(tps) : NaN,
    p50: pct(0.5),
    p99: pct(0.99),
    note: tps ? '' : res.stderr.trim().slice(0, 80),
    samples: lat.length,
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

/** Waits (up to 10 s) for the stopped targets' backends to leave, so their slots count as free. */
async function targetBackendsGone(databaseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const r = await c.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'acgs-load-target'",
      );
      if (r.rows[0].n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await c.end();
  }
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

/**
 * Mean rate of ours / mean rate of the peer over their runs (ids `ours` and `ours#2`),
 * or null when a run of either side has no data or failed requests (no data is never a ratio).
 */
function ratio(ours: string, peer: string): number | null {
  const mean = (id: string): number | null => {
    const runs = rows.filter((r) => r.id === id || r.id.startsWith(`${id}#`));
    if (runs.length === 0 || runs.some((r) => r.samples === 0 || r.note !== '' || !(r.rps > 0))) return null;
    return runs.reduce((sum, r) => sum + r.rps, 0) / runs.length;
  };
  const a = mean(ours);
  const b = mean(peer);
  return a === null || b === null ? null : Math.round((a / b) * 1000) / 1000;
}

/**
 * Ours, the peer, the peer again, ours again (ABBA): on a machine whose load drifts
 * (2 cores shared with PostgreSQL, Redis and other work) a drift then weighs on both
 * sides alike. Each run is its own row; the second of each is `#2`. `warm` runs
 * both sides unrecorded first (JIT, pool connections, prepared statements).
 */
async function sideBySide(
  ours: (rep: string) => Promise<void>,
  peer: (rep: string) => Promise<void>,
  warm: () => Promise<void>,
): Promise<void> {
  await warm();
  await ours('');
  await peer('');
  await peer('#2');
  await ours('#2');
}

/** The side-by-side comparisons of issue #16, as lines under the table. */
function comparisons(): { lines: string; figures: Record<string, number | null> } {
  const figures: Record<string, number | null> = {};
  const lines: string[] = [];
  for (const conns of CONNECTIONS) {
    const k = `cachedReadVsMemoryRoute@${conns}`;
    figures[k] = ratio(`cached_read@${conns}`, `memory_route@${conns}`);
    lines.push(
      `cached read / in-memory fastify route, ${conns} connections, mean of 2 runs each: ${pctOf(figures[k])} (goal >= 80 %)`,
    );
  }
  const w = `writeVsPgbenchTpcb@${TPCB_CLIENTS}`;
  figures[w] = ratio(`write_decision@${TPCB_CLIENTS}`, `pgbench_tpcb@${TPCB_CLIENTS}`);
  lines.push(
    `POST /decisions / pgbench TPC-B-like, ${TPCB_CLIENTS} clients, mean of 2 runs each: ${pctOf(figures[w])} (goal >= 50 %)`,
  );
  return { lines: lines.join('\n'), figures };
}

function pctOf(r: number | null): string {
  return r === null ? 'NO DATA (a side failed or measured nothing)' : `${(r * 100).toFixed(1)} %`;
}

async function main(): Promise<void> {
  const targetDb = dbUrl('acgs_bench_target');
  await ensureDatabase(targetDb);
  const seed = await seedDatabase({ databaseUrl: targetDb, scale: 1, seed: 42 });
  process.stderr.write(
    `seed: ${seed.skipped ? 'fingerprint matched, reused' : `${seed.totalRows} rows in ${(seed.totalMs / 1000).toFixed(1)} s`}\n`,
  );
  // pgbench's scratch database, initialised before any target runs (`pgbench -i`, scale 1).
  const scratch = dbUrl('acgs_bench_pgbench');
  await ensureDatabase(scratch);
  const init = spawnSync('pgbench', ['-i', '-q', scratch], { encoding: 'utf8' });
  if (init.status !== 0) process.stderr.write(`pgbench -i failed: ${init.stderr.trim().slice(0, 200)}\n`);
  await clearPrefix();
  // The report's pool is 25 + 35; on a shared server two targets may not both get 60 connections.
  const perTarget = Math.max(4, Math.min(60, Math.floor(((await freeConnections()) - TPCB_CLIENTS) / 2)));
  const pool = { size: Math.min(25, perTarget), overflow: Math.max(0, perTarget - 25) };
  const dir = mkdtempSync(join(tmpdir(), 'acgs-bench-target-'));
  const profile = join(dir, 'bench.json');
  writeFileSync(profile, JSON.stringify({ pool }));
  process.stderr.write(`target pool: size ${pool.size} + overflow ${pool.overflow}\n`);
  const children: Child[] = [];
  try {
    const cached = await startApi(targetDb, REDIS_URL, profile);
    children.push(cached);
    const uncached = await startApi(targetDb, 'redis://127.0.0.1:1', profile); // nothing listens: every read BYPASSes
    children.push(uncached);
    const c = new pg.Client({ connectionString: targetDb });
    await c.connect();
    const actor = (await c.query('SELECT actor_id FROM audit_log GROUP BY actor_id ORDER BY count(*) DESC LIMIT 1'))
      .rows[0].actor_id;
    const amendment = (await c.query("SELECT id FROM amendments WHERE status = 'open' ORDER BY id LIMIT 1")).rows[0].id;
    await c.end();
    await fetch(`${cached.url}/api/v1/principles/1`); // fill the one key the cached case reads
    const hit = await fetch(`${cached.url}/api/v1/principles/1`);
    if (hit.headers.get('x-cache') !== 'HIT')
      throw new Error(`the cached read is not a HIT: ${hit.headers.get('x-cache')}`);
    // The peer answers the very bytes the target's cached read answers.
    const memory = await startChild(['bin/run-ts.js', 'bench/target-memory-peer.ts'], {}, await hit.text());
    children.push(memory);
    const reads: Array<[string, string, string]> = [
      ['uncached_simple', 'uncached simple: GET /principles/1', '/api/v1/principles/1'],
      ['uncached_join', 'uncached join: GET /policies/1', '/api/v1/policies/1'],
      [
        'uncached_aggregation',
        'uncached aggregation: GET /amendments/:id/tally',
        `/api/v1/amendments/${amendment}/tally`,
      ],
      [
        'uncached_complex',
        'uncached complex: GET /policies/1/compliance-report',
        '/api/v1/policies/1/compliance-report',
      ],
      [
        'uncached_index_scan',
        'uncached index_scan: GET /audit?actorId&limit=50',
        `/api/v1/audit?actorId=${actor}&limit=50`,
      ],
    ];
    const write = (conns: number) => (rep: string) =>
      drive(
        'write_decision',
        'write: POST /decisions',
        `${cached.url}/api/v1/decisions`,
        conns,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ policyId: 1, subjectId: 1, action: 'read', resource: 'document' }),
        },
        rep,
      );
    const cachedRead = (conns: number) => (rep: string) =>
      drive('cached_read', 'cached read (HIT): GET /principles/1', `${cached.url}/api/v1/principles/1`, conns, {}, rep);
    const memoryRoute = (conns: number) => (rep: string) =>
      drive(
        'memory_route',
        'peer: fastify route, same JSON from memory',
        `${memory.url}/api/v1/principles/1`,
        conns,
        {},
        rep,
      );
    for (const conns of CONNECTIONS) {
      await sideBySide(cachedRead(conns), memoryRoute(conns), async () => {
        await cachedRead(conns)(WARM_UP);
        await memoryRoute(conns)(WARM_UP);
      });
      for (const [id, name, path] of reads) await drive(id, name, uncached.url + path, conns);
      if (conns === TPCB_CLIENTS)
        await sideBySide(
          write(conns),
          async (rep) => pgbench(scratch, TPCB_CLIENTS, 'tpcb', rep),
          async () => {
            await write(conns)(WARM_UP);
            pgbench(scratch, TPCB_CLIENTS, 'tpcb', WARM_UP);
          },
        );
      else await write(conns)('');
      redisBenchmark(conns);
    }
  } finally {
    for (const child of children) await child.stop();
    await clearPrefix();
    rmSync(dir, { recursive: true, force: true });
  }
  await targetBackendsGone(targetDb);
  for (const conns of CONNECTIONS) pgbench(scratch, Math.max(1, Math.min(conns, await freeConnections())), '-S');
  const { lines, figures } = comparisons();
  process.stdout.write(
    `\nacgs-load target benchmark (${SECONDS} s per case, autocannon; target pool ${pool.size}+${pool.overflow}; peers in the same run)\n\n${table()}\n\n${lines}\n`,
  );
  const json = {
    bench: 'target',
    seconds: SECONDS,
    pool,
    ratios: figures,
    rows: Object.fromEntries(
      rows.map((r) => [
        r.id,
        {
          rps: num(r.rps),
          p50Ms: num(r.p50),
          p99Ms: num(r.p99),
          samples: r.samples,
          ...(r.note ? { note: r.note } : {}),
        },
      ]),
    ),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
}

/** A figure for JSON: null when not measured (JSON has no NaN). */
function num(n: number): number | null {
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : null;
}

await main();
