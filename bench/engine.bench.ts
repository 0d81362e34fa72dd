/**
 * The embedded engine beside autocannon and wrk (when installed), each tool
 * alone in turn, in one run, against the same node:http server in a child
 * process (`npm run bench:engine`).
 *
 *  - max req/s: 50 VUs with no sleep against a no-op server for BENCH_SECONDS
 *    (default 10), beside autocannon and wrk with 50 connections.
 *  - timing overhead: a server that answers after 20 ms, at 1 and 10 VUs /
 *    connections, BENCH_DELAY_SECONDS (default 9) per tool in BENCH_ROUNDS
 *    (default 3) rounds where the tools take turns. The server
 *    times its own handler (request event -> response 'finish', HDR in µs)
 *    over each tool's requests; a tool's overhead at p50 and p99 is its
 *    latency percentile minus the server's for the same requests. The
 *    engine's figure is http_req_duration (k6: sending + waiting +
 *    receiving); autocannon's the response times of its 'response' event
 *    (hrtime, recorded here in µs rather than its own 1-ms histogram); wrk's
 *    its --latency distribution. Figures are medians over the rounds.
 *  - memory per VU: a child process runs 1,000 VUs of a trivial script
 *    (`await sleep(1)`) and 1 VU of the same; (peak RSS(1000) - peak RSS(1)) / 999.
 *
 * Goals (issue #13): req/s >= 80 % of autocannon's; the engine's p50
 * overhead at 10 VUs <= wrk's + 0.1 ms; <= 0.5 MB per VU. The machine may be
 * shared: figures vary between runs, so compare tools within one run.
 * Prints a table, then as the last line one JSON object with every figure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { tempDir } from '../test/helpers/temp.ts';
import { runK6 } from '../engine/index.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DELAY_SECONDS = Number(process.env.BENCH_DELAY_SECONDS ?? 9);
const CONNS = 50;
const DELAY_MS = 20;
const DELAY_VUS = [1, 10];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const mode = process.argv[2];

interface Pcts {
  p50: number;
  p99: number;
  count: number;
}

/** An HDR histogram in µs, 1 µs to 60 s. */
const usHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

/** Child: the server (no-op, or answering after `delayMs`), timing its own handler in µs. */
function serveMode(delayMs: number): void {
  const h = usHistogram();
  const server = http.createServer((req, res) => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => h.recordValue(Number(process.hrtime.bigint() - t0) / 1000));
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('message', (m: string) => {
    if (m === 'reset') h.reset();
    if (m === 'stats')
      process.send!({ p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), count: h.totalCount });
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

/** A server child and the way to read its handler times over the requests since the last reset. */
async function startServer(
  delayMs: number,
): Promise<{ url: string; reset(): void; stats(): Promise<Pcts>; stop(): void }> {
  const srv = child(['--serve', String(delayMs)]);
  const { port } = await next<{ port: number }>(srv);
  return {
    url: `http://127.0.0.1:${port}/`,
    reset: () => srv.send('reset'),
    stats: () => {
      const p = next<Pcts>(srv);
      srv.send('stats');
      return p;
    },
    stop: () => srv.kill(),
  };
}

async function peakRss(vus: number): Promise<number> {
  const c = child(['--memory', String(vus)]);
  const { peak } = await next<{ peak: number }>(c);
  await new Promise((r) => c.once('exit', r));
  return peak;
}

const wrkInstalled = spawnSync('wrk', ['--version']).error === undefined;

/** wrk's --latency distribution line ("50%  20.95ms") in µs. */
function wrkPercentile(out: string, p: string): number | null {
  const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'us' ? 1 : m[2] === 'ms' ? 1000 : 1_000_000);
}

/** wrk for `seconds` with `conns` connections: req/s and latency percentiles (µs), or null when not installed. */
function runWrk(url: string, conns: number, seconds: number): { rps: number; p50: number; p99: number } | null {
  if (!wrkInstalled) return null;
  const w = spawnSync('wrk', [`-t${Math.min(2, conns)}`, `-c${conns}`, `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
  });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(w.stdout ?? '');
  const p50 = wrkPercentile(w.stdout ?? '', '50');
  const p99 = wrkPercentile(w.stdout ?? '', '99');
  if (!rps || p50 === null || p99 === null) throw new Error(`wrk printed no figures: ${w.stdout}${w.stderr}`);
  return { rps: Number(rps[1]), p50, p99 };
}

/** autocannon for `seconds` with `conns` connections: req/s and response-time percentiles (µs, from hrtime). */
async function runAutocannon(url: string, conns: number, seconds: number): Promise<{ rps: number } & Pcts> {
  const h = usHistogram();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon({ url, connections: conns, duration: seconds }, (err, r) =>
      err ? reject(err) : resolve(r),
    );
    inst.on('response', (_c: unknown, _status: number, _bytes: number, ms: number) => h.recordValue(ms * 1000));
  });
  return {
    rps: result.requests.total / seconds,
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    count: h.totalCount,
  };
}

/** The engine with `vus` VUs requesting `url` in a loop for `seconds`. */
async function runEngine(url: string, vus: number, seconds: number) {
  const dir = tempDir('acgs-bench-');
  const script = join(dir, 'load.js');
  writeFileSync(
    script,
    `import http from 'k6/http';
    export const options = { vus: ${vus}, duration: '${seconds}s', summaryTrendStats: ['avg', 'med', 'p(99)'] };
    export default async function () { await http.asyncRequest('GET', '${url}'); }`,
  );
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const res = await runK6({ script, quiet: true, stdout: sink, stderr: sink }, 'embedded');
  const s = res.summary;
  if (!s || !s.metrics.http_reqs?.values.count) throw new Error(`the engine made no requests (exit ${res.exitCode})`);
  const m = s.metrics;
  const eng = s.engine as { eventLoopDelayP99Ms: number; cpuPercent: number; limited: boolean };
  return {
    rps: m.http_reqs.values.count / (s.state.testRunDurationMs / 1000),
    p50: m.http_req_duration.values.med * 1000,
    p99: m.http_req_duration.values['p(99)'] * 1000,
    count: m.http_reqs.values.count,
    failed: m.http_req_failed?.values.passes ?? 0,
    self: eng,
  };
}

/** One tool's round against the fixed-delay server, in µs. */
interface Round {
  p50: number;
  p99: number;
  srv: Pcts;
  over50: number;
  over99: number;
}
/** Medians over the rounds (percentiles of one round each; requests summed). */
interface Summary {
  p50: number;
  p99: number;
  srvP50: number;
  srvP99: number;
  over50: number;
  over99: number;
  requests: number;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function summarise(rs: Round[]): Summary {
  return {
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    srvP50: median(rs.map((r) => r.srv.p50)),
    srvP99: median(rs.map((r) => r.srv.p99)),
    over50: median(rs.map((r) => r.over50)),
    over99: median(rs.map((r) => r.over99)),
    requests: rs.reduce((n, r) => n + r.srv.count, 0),
  };
}

const f0 = (x: number): string => x.toFixed(0);
const ms2 = (us: number): string => (us / 1000).toFixed(2);
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const rows: Array<[string, string, string]> = [];
  const json: Record<string, unknown> = { wrkInstalled };

  // 1. Max req/s against the no-op server.
  const noop = await startServer(0);
  console.log(
    `engine bench: no-op and ${DELAY_MS}-ms servers in child processes; ${SECONDS}s per tool (max req/s), ` +
      `${DELAY_SECONDS}s per tool and VU count in ${ROUNDS} rounds (timing); each tool alone in turn; the machine may be shared`,
  );
  const ac = await runAutocannon(noop.url, CONNS, SECONDS);
  const wrk = runWrk(noop.url, CONNS, SECONDS);
  const eng = await runEngine(noop.url, CONNS, SECONDS);
  noop.stop();
  const ratio = eng.rps / ac.rps;
  rows.push([
    `req/s, ${CONNS} VUs/conns`,
    `engine ${f0(eng.rps)}`,
    `autocannon ${f0(ac.rps)}${wrk ? `, wrk ${f0(wrk.rps)}` : ' (wrk not installed)'} -> engine ${(ratio * 100).toFixed(1)}% of autocannon (goal >= 80%)`,
  ]);
  rows.push([
    'engine self-check',
    `event-loop p99 ${eng.self.eventLoopDelayP99Ms} ms, CPU ${eng.self.cpuPercent}%`,
    `limited=${eng.self.limited}; failed requests ${eng.failed}`,
  ]);
  json.maxRps = {
    engine: Math.round(eng.rps),
    autocannon: Math.round(ac.rps),
    wrk: wrk ? Math.round(wrk.rps) : null,
    engineShareOfAutocannon: r3(ratio),
    goalMet: ratio >= 0.8,
    engineEventLoopP99Ms: eng.self.eventLoopDelayP99Ms,
    engineCpuPercent: eng.self.cpuPercent,
  };

  // 2. Timing overhead against the fixed-delay server, at 1 and 10 VUs. The
  // tools take turns in ROUNDS short rounds, so a change in the machine's
  // load hits all of them alike; each round's overhead is the tool's
  // percentile minus the server's over that round's requests, and the
  // figure is the median over the rounds (the engine's lead over wrk is
  // paired within each round).
  const slow = await startServer(DELAY_MS);
  const delay: Record<string, unknown> = {};
  const slice = Math.max(2, Math.round(DELAY_SECONDS / ROUNDS));
  for (const vus of DELAY_VUS) {
    const rounds: Record<'engine' | 'autocannon' | 'wrk', Round[]> = { engine: [], autocannon: [], wrk: [] };
    const measure = async (
      run: () => Promise<{ p50: number; p99: number } | null> | { p50: number; p99: number } | null,
    ) => {
      slow.reset();
      const r = await run();
      const srv = await slow.stats();
      return r ? { p50: r.p50, p99: r.p99, srv, over50: r.p50 - srv.p50, over99: r.p99 - srv.p99 } : null;
    };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.engine.push((await measure(() => runEngine(slow.url, vus, slice)))!);
      rounds.autocannon.push((await measure(() => runAutocannon(slow.url, vus, slice)))!);
      const w = await measure(() => runWrk(slow.url, vus, slice));
      if (w) rounds.wrk.push(w);
    }
    const e = summarise(rounds.engine);
    const a = summarise(rounds.autocannon);
    const w = rounds.wrk.length ? summarise(rounds.wrk) : null;
    const vsWrk = w ? median(rounds.engine.map((r, i) => r.over50 - rounds.wrk[i].over50)) : null;
    const line = (name: string, t: Summary) =>
      `${name} p50 ${ms2(t.p50)} ms (server ${ms2(t.srvP50)}) +${ms2(t.over50)}, p99 ${ms2(t.p99)} ms (server ${ms2(t.srvP99)}) +${ms2(t.over99)}`;
    rows.push([`${DELAY_MS}-ms server, ${vus} VU${vus > 1 ? 's' : ''}`, line('engine', e), '']);
    rows.push(['', line('autocannon', a), '']);
    rows.push(['', w ? line('wrk', w) : 'wrk not installed', '']);
    rows.push([
      '',
      `engine p50 overhead ${vsWrk === null ? 'n/a (no wrk)' : `${vsWrk >= 0 ? '+' : ''}${ms2(vsWrk)} ms over wrk's`}`,
      vus === 10 ? '(goal <= +0.10 ms at 10 VUs)' : '',
    ]);
    const fig = (t: Summary) => ({
      p50Ms: r3(t.p50 / 1000),
      p99Ms: r3(t.p99 / 1000),
      serverP50Ms: r3(t.srvP50 / 1000),
      serverP99Ms: r3(t.srvP99 / 1000),
      overheadP50Ms: r3(t.over50 / 1000),
      overheadP99Ms: r3(t.over99 / 1000),
      serverRequests: t.requests,
    });
    delay[`vus${vus}`] = {
      engine: fig(e),
      autocannon: fig(a),
      wrk: w ? fig(w) : null,
      engineOverP50MsVsWrk: vsWrk === null ? null : r3(vsWrk / 1000),
      goalMet: vus === 10 && vsWrk !== null ? vsWrk <= 100 : null,
    };
  }
  slow.stop();
  json.fixedDelay = { serverDelayMs: DELAY_MS, rounds: ROUNDS, secondsPerRound: slice, ...delay };

  // 3. Memory per VU.
  const rss1 = await peakRss(1);
  const rss1000 = await peakRss(1000);
  const perVuMb = (rss1000 - rss1) / 999 / 1024 / 1024;
  rows.push([
    'memory per VU',
    `${perVuMb.toFixed(3)} MB`,
    `peak RSS 1 VU ${(rss1 / 1048576).toFixed(0)} MB, 1000 VUs ${(rss1000 / 1048576).toFixed(0)} MB (goal <= 0.5 MB; k6 ~1-5 MB)`,
  ]);
  json.memoryPerVuMb = r3(perVuMb);

  for (const [a, b, c] of rows) console.log(`${a.padEnd(24)} ${b.padEnd(44)} ${c}`);
  console.log(JSON.stringify(json));
}

if (mode === '--serve') serveMode(Number(process.argv[3] ?? 0));
else if (mode === '--memory') await memoryMode(Number(process.argv[3]));
else await main();
