/**
 * The embedded engine against autocannon (and wrk when installed), all in one
 * run against the same local no-op node:http server (`npm run bench:engine`).
 *
 *  - max req/s: 50 VUs with no sleep for ~10 s, beside autocannon with 50
 *    connections for the same time (each tool alone, one after the other).
 *  - client overhead: the engine's http_req_duration p50 minus the server's
 *    own p50 handler time, measured in the server process over the same
 *    requests (request event -> response 'finish', HDR histogram).
 *  - memory per VU: a child process runs 1,000 VUs of a trivial script
 *    (`await sleep(1)`) and 1 VU of the same; (peak RSS(1000) - peak RSS(1)) / 999.
 * Goals: >= 80 % of autocannon's req/s, overhead <= 100 µs at p50,
 * <= 0.5 MB per VU. The machine may be shared: figures vary between runs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../test/helpers/temp.ts';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { runK6 } from '../engine/index.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNS = 50;
const mode = process.argv[2];

/** Child: the no-op server, timing its own handler in µs. */
function serveMode(): void {
  const h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const server = http.createServer((req, res) => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => h.recordValue(Number(process.hrtime.bigint() - t0) / 1000));
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('message', (m: string) => {
    if (m === 'reset') h.reset();
    if (m === 'stats') process.send!({ p50: h.getValueAtPercentile(50), count: h.totalCount });
  });
}

/** Child: run `vus` VUs of a trivial script and report the peak RSS. */
async function memoryMode(vus: number): Promise<void> {
  const dir = tempDir('acgs-bench-');
  const script = join(dir, 'mem.js');
  writeFileSync(
    script,
    `import { sleep } from 'k6'; let n = 0; export default async function () { n++; await sleep(1); }`,
  );
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  await runK6({ script, vus, duration: '4s', quiet: true, stdout: sink, stderr: sink }, 'embedded');
  clearInterval(t);
  process.send!({ peak });
}

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['bin/run-ts.js', 'bench/engine.bench.ts', ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
const next = <T>(c: ChildProcess): Promise<T> => new Promise((r) => c.once('message', (m) => r(m as T)));

async function serverStats(srv: ChildProcess): Promise<{ p50: number; count: number }> {
  const p = next<{ p50: number; count: number }>(srv);
  srv.send('stats');
  return p;
}

async function peakRss(vus: number): Promise<number> {
  const c = child(['--memory', String(vus)]);
  const { peak } = await next<{ peak: number }>(c);
  await new Promise((r) => c.once('exit', r));
  return peak;
}

async function main(): Promise<void> {
  const srv = child(['--serve']);
  const { port } = await next<{ port: number }>(srv);
  const url = `http://127.0.0.1:${port}/`;
  console.log(
    `engine bench: no-op server in a child process at ${url}; ${SECONDS}s per tool; machine may be shared with other work`,
  );

  srv.send('reset');
  const ac = await autocannon({ url, connections: CONNS, duration: SECONDS });
  const acServer = await serverStats(srv);
  const acRps = ac.requests.total / SECONDS;

  let wrkRps: number | null = null;
  if (spawnSync('wrk', ['--version']).status !== null) {
    const w = spawnSync('wrk', ['-t2', `-c${CONNS}`, `-d${SECONDS}s`, url], { encoding: 'utf8' });
    const m = /Requests\/sec:\s+([\d.]+)/.exec(w.stdout ?? '');
    wrkRps = m ? Number(m[1]) : null;
  }

  const dir = tempDir('acgs-bench-');
  const script = join(dir, 'max.js');
  writeFileSync(
    script,
    `import http from 'k6/http';
    export const options = { vus: ${CONNS}, duration: '${SECONDS}s', summaryTrendStats: ['avg', 'med', 'p(90)', 'p(99)'] };
    export default async function () { await http.asyncRequest('GET', '${url}'); }`,
  );
  srv.send('reset');
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const res = await runK6({ script, quiet: true, stdout: sink, stderr: sink }, 'embedded');
  const engServer = await serverStats(srv);
  const m = res.summary!.metrics;
  const engRps = m.http_reqs.values.count / (res.summary!.state.testRunDurationMs / 1000);
  const engP50Us = m.http_req_duration.values.med * 1000;
  const overheadUs = engP50Us - engServer.p50;
  srv.kill();

  const rss1 = await peakRss(1);
  const rss1000 = await peakRss(1000);
  const perVuMb = (rss1000 - rss1) / 999 / 1024 / 1024;

  const eng = res.summary!.engine as { eventLoopDelayP99Ms: number; cpuPercent: number; limited: boolean };
  const rows: Array<[string, string, string]> = [
    [
      'req/s, 50 conns/VUs',
      `engine ${engRps.toFixed(0)}`,
      `autocannon ${acRps.toFixed(0)}${wrkRps ? `, wrk ${wrkRps.toFixed(0)}` : ' (wrk not installed)'}  -> ${((engRps / acRps) * 100).toFixed(1)}% (goal >= 80%)`,
    ],
    [
      'latency p50',
      `engine http_req_duration ${engP50Us.toFixed(0)} µs`,
      `server handler ${engServer.p50.toFixed(0)} µs -> client overhead ${overheadUs.toFixed(0)} µs (goal <= 100 µs); autocannon p50 ${(ac.latency.p50 * 1000).toFixed(0)} µs (ms resolution), server ${acServer.p50.toFixed(0)} µs`,
    ],
    [
      'memory per VU',
      `${perVuMb.toFixed(3)} MB`,
      `peak RSS 1 VU ${(rss1 / 1048576).toFixed(0)} MB, 1000 VUs ${(rss1000 / 1048576).toFixed(0)} MB (goal <= 0.5 MB)`,
    ],
    [
      'engine self-check',
      `event-loop p99 ${eng.eventLoopDelayP99Ms} ms, CPU ${eng.cpuPercent}%`,
      `limited=${eng.limited}`,
    ],
  ];
  for (const [a, b, c] of rows) console.log(`${a.padEnd(22)} ${b.padEnd(40)} ${c}`);
}

if (mode === '--serve') serveMode();
else if (mode === '--memory') await memoryMode(Number(process.argv[3]));
else await main();
