/**
 * Sync k6 scripts (each VU a worker thread, engine/sync/) beside async ones
 * (the event loop) on the embedded engine, in one run, against the same
 * node:http server in a child process (`npm run bench:engine-sync`).
 *
 *  - max req/s: BENCH_VUS (default 10 and 50) VUs with no sleep against a
 *    no-op server for BENCH_SECONDS (default 8): `http.get(url)` beside
 *    `await http.asyncRequest('GET', url)`, each alone in turn,
 *    BENCH_ROUNDS (default 2) rounds; figures are the medians of the rounds.
 *  - memory per VU: a child process runs BENCH_MEM_VUS (default 200) VUs of a
 *    trivial script (`sleep(1)` / `await sleep(1)`) and 1 VU of the same;
 *    (peak RSS(N) - peak RSS(1)) / (N - 1). A sync VU's worker thread is a V8
 *    isolate of its own, so BENCH_MEM_VUS stays below the 1,000 of
 *    bench:engine (1,000 workers need gigabytes).
 *  - init time per VU: the wall time of that N-VU run's start (VUs are
 *    initialized before the test starts), per VU.
 *
 * Prints a table, then as the last line one JSON object with every figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { tempDir } from '../test/helpers/temp.ts';
import { runK6 } from '../engine/index.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const VUS_LIST = (process.env.BENCH_VUS ?? '10,50').split(',').map(Number);
const MEM_VUS = Number(process.env.BENCH_MEM_VUS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const MEM_SECONDS = 4;
const mode = process.argv[2];

type Kind = 'sync' | 'async';
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

/** A request loop of each kind. */
const LOAD: Record<Kind, (url: string) => string> = {
  sync: (url) => `import http from 'k6/http'; export default function () { http.get('${url}'); }`,
  async: (url) =>
    `import http from 'k6/http'; export default async function () { await http.asyncRequest('GET', '${url}'); }`,
};
/** A VU that only sleeps, of each kind (the first line makes the sync one a sync script). */
const IDLE: Record<Kind, string> = {
  sync: `import http from 'k6/http'; import { sleep } from 'k6'; export default function () { if (__ITER < 0) http.get('x'); sleep(1); }`,
  async: `import { sleep } from 'k6'; export default async function () { await sleep(1); }`,
};

/** Child: a no-op server. */
function serveMode(): void {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
}

/** Child: `vus` idle VUs of `kind`; reports peak RSS and how long the start took. */
async function memoryMode(kind: Kind, vus: number): Promise<void> {
  const script = join(tempDir('acgs-bench-'), 'mem.js');
  writeFileSync(script, IDLE[kind]);
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  const res = await runK6(
    { script, vus, duration: `${MEM_SECONDS}s`, quiet: true, stdout: sink(), stderr: sink() },
    'embedded',
  );
  const wallMs = performance.now() - t0;
  clearInterval(t);
  const iterations = res.summary?.metrics.iterations?.values.count ?? 0;
  const runMs = res.summary?.state.testRunDurationMs ?? 0;
  process.send!({ peak, initMs: wallMs - runMs, iterations, exitCode: res.exitCode });
}

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['bin/run-ts.js', 'bench/engine-sync.bench.ts', ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
const next = <T>(c: ChildProcess): Promise<T> => new Promise((r) => c.once('message', (m) => r(m as T)));

interface MemRun {
  peak: number;
  initMs: number;
  iterations: number;
  exitCode: number;
}
async function memory(kind: Kind, vus: number): Promise<MemRun> {
  const c = child(['--memory', kind, String(vus)]);
  const m = await next<MemRun>(c);
  await new Promise((r) => c.once('exit', r));
  // no data is never a figure: every VU must have run its iterations
  if (m.exitCode !== 0 || m.iterations < vus * (MEM_SECONDS - 1))
    throw new Error(`${kind} memory run with ${vus} VUs: exit ${m.exitCode}, ${m.iterations} iterations`);
  return m;
}

/** `vus` VUs of `kind` requesting `url` in a loop for `seconds`: req/s and the engine's self-report. */
async function load(kind: Kind, url: string, vus: number) {
  const script = join(tempDir('acgs-bench-'), `load-${kind}.js`);
  writeFileSync(script, LOAD[kind](url));
  const res = await runK6(
    { script, vus, duration: `${SECONDS}s`, quiet: true, stdout: sink(), stderr: sink() },
    'embedded',
  );
  const s = res.summary;
  const count = s?.metrics.http_reqs?.values.count ?? 0;
  if (!s || !count) throw new Error(`${kind}: the engine made no requests (exit ${res.exitCode})`);
  const failed = s.metrics.http_req_failed?.values.passes ?? 0;
  if (failed) throw new Error(`${kind}: ${failed} requests failed`);
  const eng = s.engine as { eventLoopDelayP99Ms: number; cpuPercent: number; limited: boolean };
  return {
    rps: count / (s.state.testRunDurationMs / 1000),
    p50: s.metrics.http_req_duration.values.med,
    loopP99: eng.eventLoopDelayP99Ms,
    cpu: eng.cpuPercent,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const srv = child(['--serve']);
  const { port } = await next<{ port: number }>(srv);
  const url = `http://127.0.0.1:${port}/`;
  const rows: string[][] = [];
  const json: Record<string, unknown> = { vus: VUS_LIST, seconds: SECONDS, rounds: ROUNDS, memVus: MEM_VUS };
  try {
    for (const vus of VUS_LIST) {
      const runs: Record<Kind, Array<Awaited<ReturnType<typeof load>>>> = { sync: [], async: [] };
      for (let i = 0; i < ROUNDS; i++) {
        // the kinds take turns, so both see the same machine
        const order: Kind[] = i % 2 ? ['async', 'sync'] : ['sync', 'async'];
        for (const k of order) runs[k].push(await load(k, url, vus));
      }
      const rps = { sync: median(runs.sync.map((r) => r.rps)), async: median(runs.async.map((r) => r.rps)) };
      for (const k of ['sync', 'async'] as Kind[]) {
        const p50 = median(runs[k].map((r) => r.p50));
        rows.push([
          `max req/s, ${vus} VUs, ${k}`,
          rps[k].toFixed(0),
          `rounds ${runs[k].map((r) => r.rps.toFixed(0)).join(', ')}; http_req_duration p50 ${p50.toFixed(2)} ms; main-loop delay p99 ${median(runs[k].map((r) => r.loopP99)).toFixed(1)} ms`,
        ]);
        json[`${k}Rps${vus}`] = r1(rps[k]);
        json[`${k}RpsRounds${vus}`] = runs[k].map((r) => r1(r.rps));
        json[`${k}P50Ms${vus}`] = r3(p50);
      }
      rows.push([`sync / async req/s, ${vus} VUs`, `${((100 * rps.sync) / rps.async).toFixed(0)} %`, '']);
      json[`syncToAsyncRps${vus}`] = r3(rps.sync / rps.async);
    }

    for (const k of ['sync', 'async'] as Kind[]) {
      const one = await memory(k, 1);
      const many = await memory(k, MEM_VUS);
      const perVuMb = (many.peak - one.peak) / (MEM_VUS - 1) / 1048576;
      const initPerVuMs = (many.initMs - one.initMs) / (MEM_VUS - 1);
      rows.push([
        `memory per VU, ${k}`,
        `${perVuMb.toFixed(3)} MB`,
        `peak RSS 1 VU ${(one.peak / 1048576).toFixed(0)} MB, ${MEM_VUS} VUs ${(many.peak / 1048576).toFixed(0)} MB`,
      ]);
      rows.push([
        `init time per VU, ${k}`,
        `${initPerVuMs.toFixed(2)} ms`,
        `${MEM_VUS} VUs started in ${many.initMs.toFixed(0)} ms`,
      ]);
      json[`${k}MemoryPerVuMb`] = r3(perVuMb);
      json[`${k}InitPerVuMs`] = r3(initPerVuMs);
    }
  } finally {
    srv.kill();
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  const v = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write(`${'figure'.padEnd(w)}  ${'value'.padStart(v)}  notes\n`);
  for (const r of rows) process.stdout.write(`${r[0].padEnd(w)}  ${r[1].padStart(v)}  ${r[2]}\n`);
  process.stdout.write(JSON.stringify(json) + '\n');
}

if (mode === '--serve') serveMode();
else if (mode === '--memory') await memoryMode(process.argv[3] as Kind, Number(process.argv[4]));
else await main();
