/**
 * The embedded engine's progress: which display a run gets (a live line on a
 * terminal, plain lines otherwise, nothing when quiet), the plain line's text
 * from its figures, and the ticker writing one line per interval into a
 * stream that is not a terminal (a CI log).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock, progressStatusLine, resolveProgressMode, type ProgressSnapshot } from '../engine/progress.ts';
import { runScript, startServer, type TestServer } from './helpers/engine-harness.ts';

let server: TestServer;
const dirs: string[] = [];
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** runScript, its folder removed after the file's tests. */
async function runIt(...args: Parameters<typeof runScript>): ReturnType<typeof runScript> {
  const r = await runScript(...args);
  dirs.push(r.dir);
  return r;
}

const base: ProgressSnapshot = {
  scenarios: ['user_journey'],
  elapsedMs: 80_000,
  plannedMs: 360_000,
  vusActive: 50,
  vusMax: 50,
  completed: 12345,
  interrupted: 0,
  windowRequests: 8124,
  windowMs: 10_000,
  failedRequests: 3,
};

describe('progressStatusLine', () => {
  const cases: Array<[string, Partial<ProgressSnapshot>, string]> = [
    [
      'a running load test',
      {},
      'running user_journey 1m20s/6m00s, 50/50 VUs, 12345 complete and 0 interrupted iterations, 812.4 req/s (last 10s), 3 failed requests',
    ],
    [
      'the start: nothing yet',
      { elapsedMs: 0, vusActive: 0, completed: 0, windowRequests: 0, windowMs: 0, failedRequests: 0 },
      'running user_journey 0m00s/6m00s, 0/50 VUs, 0 complete and 0 interrupted iterations, 0.0 req/s (last 0ms), 0 failed requests',
    ],
    [
      'one failed request (singular), interrupted iterations',
      { failedRequests: 1, interrupted: 7 },
      'running user_journey 1m20s/6m00s, 50/50 VUs, 12345 complete and 7 interrupted iterations, 812.4 req/s (last 10s), 1 failed request',
    ],
    [
      'a short interval: rate over the actual window',
      { windowRequests: 30, windowMs: 200 },
      'running user_journey 1m20s/6m00s, 50/50 VUs, 12345 complete and 0 interrupted iterations, 150.0 req/s (last 200ms), 3 failed requests',
    ],
    [
      'a window a little longer than the interval is labelled in whole seconds',
      { windowRequests: 1000, windowMs: 10_040 },
      'running user_journey 1m20s/6m00s, 50/50 VUs, 12345 complete and 0 interrupted iterations, 99.6 req/s (last 10s), 3 failed requests',
    ],
    [
      'several scenarios',
      { scenarios: ['sessions', 'config', 'decisions'] },
      'running sessions, config, decisions 1m20s/6m00s, 50/50 VUs, 12345 complete and 0 interrupted iterations, 812.4 req/s (last 10s), 3 failed requests',
    ],
    [
      'many scenarios: the first three, the rest counted',
      { scenarios: ['s1', 's2', 's3', 's4', 's5'] },
      'running s1, s2, s3 +2 more 1m20s/6m00s, 50/50 VUs, 12345 complete and 0 interrupted iterations, 812.4 req/s (last 10s), 3 failed requests',
    ],
    [
      'no planned duration: elapsed only',
      { plannedMs: 0 },
      'running user_journey 1m20s, 50/50 VUs, 12345 complete and 0 interrupted iterations, 812.4 req/s (last 10s), 3 failed requests',
    ],
    [
      'over an hour',
      { elapsedMs: 3_725_000, plannedMs: 7_200_000 },
      'running user_journey 1h02m05s/2h00m00s, 50/50 VUs, 12345 complete and 0 interrupted iterations, 812.4 req/s (last 10s), 3 failed requests',
    ],
  ];
  it.each(cases)('%s', (_name, over, want) => {
    expect(progressStatusLine({ ...base, ...over })).toBe(want);
  });

  it('clock rounds down to whole seconds', () => {
    expect([0, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000].map(clock)).toEqual([
      '0m00s',
      '0m00s',
      '0m01s',
      '0m59s',
      '1m00s',
      '59m59s',
      '1h00m00s',
    ]);
  });
});

describe('resolveProgressMode', () => {
  const cases: Array<[Parameters<typeof resolveProgressMode>[0], boolean, string]> = [
    [{}, true, 'tty'],
    [{}, false, 'lines'],
    [{ progress: 'auto' }, false, 'lines'],
    [{ progress: 'lines' }, true, 'lines'],
    [{ progress: 'tty' }, false, 'tty'],
    [{ progress: 'none' }, true, 'none'],
    [{ quiet: true }, true, 'none'],
    [{ quiet: true, progress: 'lines' }, false, 'none'],
    [{ quiet: false, progress: 'lines' }, false, 'lines'],
  ];
  it.each(cases)('%j on a terminal=%s -> %s', (opts, tty, want) => {
    expect(resolveProgressMode(opts, tty)).toBe(want);
  });
});

const LINE =
  /^running s \dm\d\ds\/0m01s, \d+\/\d+ VUs, (\d+) complete and \d+ interrupted iterations, \d+\.\d req\/s \(last \d+ms\), (\d+) failed requests?$/;

/** Two VUs for 1.6 s, each iteration one good and one failing request. */
const script = (url: string) => `import http from 'k6/http'; import { sleep } from 'k6';
  export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '1600ms' } } };
  export default async function () {
    await http.asyncRequest('GET', '${url}/ok');
    await http.asyncRequest('GET', '${url}/bad?status=500');
    await sleep(0.02);
  }`;

const progressLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('running s '));

describe('the progress ticker', () => {
  it('writes a plain line per interval when stdout is not a terminal (auto)', async () => {
    const r = await runIt(script(server.url), { quiet: false, progressIntervalMs: 200 });
    expect(r.result.exitCode).toBe(0);
    expect(r.stdout).not.toContain('\r'); // no live line in a log
    const lines = progressLines(r.stdout);
    // 1.6 s at one line per 200 ms: 8 due; at least half, whatever the machine's load
    expect(lines.length, r.stdout).toBeGreaterThanOrEqual(4);
    for (const l of lines) expect(l).toMatch(LINE);
    const completed = lines.map((l) => Number(LINE.exec(l)![1]));
    expect(completed).toEqual([...completed].sort((a, b) => a - b));
    // the failing requests are counted (http_req_failed), and the count only grows
    const failed = lines.map((l) => Number(LINE.exec(l)![2]));
    expect(failed).toEqual([...failed].sort((a, b) => a - b));
    expect(failed.at(-1)).toBeGreaterThan(0);
  });

  it("progress: 'lines' with the default interval writes nothing in a run shorter than 10 s", async () => {
    const r = await runIt(script(server.url), { quiet: false, progress: 'lines' });
    expect(r.result.exitCode).toBe(0);
    expect(progressLines(r.stdout)).toEqual([]);
    expect(r.stdout).toContain('execution: local'); // the banner is still there
  });

  it("quiet wins over progress: 'lines'", async () => {
    const r = await runIt(script(server.url), { quiet: true, progress: 'lines', progressIntervalMs: 200 });
    expect(r.result.exitCode).toBe(0);
    expect(progressLines(r.stdout)).toEqual([]);
    expect(r.stdout).not.toContain('execution: local');
  });

  it("progress: 'none' writes no progress but keeps the banner", async () => {
    const r = await runIt(script(server.url), { quiet: false, progress: 'none', progressIntervalMs: 200 });
    expect(progressLines(r.stdout)).toEqual([]);
    expect(r.stdout).toContain('execution: local');
  });

  it("progress: 'tty' rewrites one live line, with the scenario's progress", async () => {
    const r = await runIt(script(server.url), { quiet: false, progress: 'tty' });
    expect(r.result.exitCode).toBe(0);
    const live = r.stdout.split('\r\x1b[K').filter((l) => l.startsWith('running ('));
    expect(live.length).toBeGreaterThanOrEqual(2);
    for (const l of live)
      expect(l).toMatch(
        /^running \(\d\dm\d\d\.\ds\), \d+\/\d+ VUs, \d+ complete and \d+ interrupted iterations \| s \d+% [\d.]+ req\/s/,
      );
    // the executor's progress reaches the line (it was always 0% before)
    const pct = live.map((l) => Number(/ s (\d+)% /.exec(l)![1]));
    expect(Math.max(...pct)).toBeGreaterThan(0);
  });
});
