/**
 * Ctrl-C and SIGTERM during `acgs-load run`, as a user sends them: the first
 * stops the load gracefully and the results are written marked ABORTED with
 * what was measured until then (exit code 8), the API process the run started
 * is gone; a second signal stops at once; before the load, nothing is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunJson } from '../report/index.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from './helpers/services.ts';

const prefix = testPrefix('run_signals');
const redis = newRedis();
let db: TestDatabase;
let dir: string;

/** Long enough that a signal always lands in the scenarios; targets no machine misses. */
const PROFILE = {
  description: 'test: a long user-journey to interrupt',
  seed: { scale: 0.05, seed: 5 },
  load: { scenarios: ['user-journey', 'smoke'], vus: 2, durationSeconds: 120 },
  checks: { graceSeconds: 1 },
};

interface Started {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function start(name: string, profile: object = PROFILE): Started {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(profile));
  const child = spawn(
    process.execPath,
    ['bin/acgs-load.js', 'run', '--profile', file, '--results-dir', join(dir, name), '--quiet'],
    { env: { ...process.env, BASE_URL: '', DATABASE_URL: db.url, ACGS_REDIS_PREFIX: prefix } },
  );
  let text = '';
  child.stdout!.on('data', (d) => (text += String(d)));
  child.stderr!.on('data', (d) => (text += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => text, exited };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const apiPid = (out: string) => Number(/✓ api \([^)]*\) — \S+ \(pid (\d+)\)/.exec(out)?.[1]);

describe('acgs-load run stopped by a signal', () => {
  beforeAll(async () => {
    db = await createTestDatabase('run_signals');
    dir = mkdtempSync(join(tmpdir(), 'acgs-signals-'));
    await clearPrefix(redis, prefix);
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGINT during the scenarios: graceful stop, results marked ABORTED with what was measured, exit 8', async () => {
    const r = start('sigint');
    // requests have been made and recorded: the user-journey is under way
    await until(() => /▶ scenarios/.test(r.out()), 180_000);
    await new Promise((res) => setTimeout(res, 4000));
    const pid = apiPid(r.out());
    expect(alive(pid)).toBe(true);
    r.child.kill('SIGINT');
    const code = await r.exited;
    expect(code, r.out().slice(-3000)).toBe(8);
    expect(r.out()).toMatch(/SIGINT: stopping the run gracefully/);
    expect(r.out()).toMatch(/scenario smoke not started: the run was aborted/);
    expect(r.out()).toMatch(/- checks skipped: the run was aborted \(SIGINT during scenarios\)/);
    expect(r.out()).not.toMatch(/\n\s+at /); // no stack trace
    expect(alive(pid)).toBe(false);

    const path = /^results: (.+)$/m.exec(r.out())![1];
    const run = JSON.parse(readFileSync(join(path, 'run.json'), 'utf8')) as RunJson;
    expect(run.exitCode).toBe(8);
    expect(run.verdict).toBe('ABORTED (exit 8)');
    expect(run.reasons[0]).toMatch(/^aborted by SIGINT during scenarios/);
    expect(run.checks).toBeNull();
    // what was measured until the signal is kept: the journey's requests, from k6's summary
    expect(run.scenarios.map((s) => [s.name, s.exitCode])).toEqual([['user-journey', 105]]);
    const requests = run.figures.find((f) => f.id === 'scenario.user-journey.requests');
    expect(requests?.value).toBeGreaterThan(0);
    for (const f of ['report.md', 'report.html', 'junit.xml', 'summary.json', 'k6/user-journey.metrics.ndjson'])
      expect(existsSync(join(path, f)), f).toBe(true);
    expect(readFileSync(join(path, 'report.md'), 'utf8')).toContain('**ABORTED (exit 8)**');
  }, 300_000);

  it('a second signal stops at once, and the API process goes with it', async () => {
    const r = start('twice');
    await until(() => /▶ scenarios/.test(r.out()), 180_000);
    await new Promise((res) => setTimeout(res, 1000));
    const pid = apiPid(r.out());
    r.child.kill('SIGTERM');
    await until(() => /SIGTERM: stopping the run gracefully/.test(r.out()), 30_000);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(8);
    expect(r.out()).toMatch(/SIGTERM again: stopping at once/);
    await until(() => !alive(pid), 10_000);
  }, 300_000);

  it('a signal before the load writes nothing and says nothing was measured', async () => {
    const r = start('early', { ...PROFILE, seed: { scale: 0.05, seed: 6 }, load: { ...PROFILE.load, vus: 1 } });
    await until(() => /▶ (migrate|seed)/.test(r.out()), 180_000);
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(8);
    expect(r.out()).toMatch(/^error\[ABORTED\]: aborted by SIGINT during \S+.*before the load: nothing was measured/m);
    const root = join(dir, 'early');
    expect(existsSync(root) ? readdirSync(root) : []).toEqual([]);
  }, 300_000);
});
