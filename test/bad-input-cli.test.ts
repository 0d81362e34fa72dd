/**
 * The bad-input table (test/bad-input-cases.ts), each case as a user meets
 * it: the CLI in a child process. Every case must end with its documented
 * exit code, a first stderr line that names the problem, the fix (a `hint:`
 * line, commander's usage pointer, or for `k6 run` k6's own one-line log
 * format), no stack trace from the suite's code, and no write: the test's
 * database stays empty and its key prefix holds no key.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_CASES, ENV_CASES, PROFILE_CASES, SCRIPT_CASES, type BadInputCase } from './helpers/bad-input-cases.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from './helpers/services.ts';

const prefix = testPrefix('bad_input_cli');
const redis = newRedis();
let db: TestDatabase;
let root: string;
beforeAll(async () => {
  db = await createTestDatabase('bad_input_cli');
  await clearPrefix(redis, prefix);
  root = mkdtempSync(join(tmpdir(), 'acgs-bad-input-'));
});
afterAll(async () => {
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

/** Runs the CLI; resolves with exit code and output. */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/acgs-load.js', ...args], {
      env: { ...process.env, BASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A frame of the suite's own code, or Node's: what a user must never see for their mistake. */
const SUITE_FRAME =
  /^\s+at .*(\/(engine|cli|config|seed|checks|report|target)\/[\w/-]+\.ts|node_modules|node:internal)/m;

async function check(c: BadInputCase, i: number): Promise<void> {
  const dir = join(root, String(i));
  mkdirSync(dir, { recursive: true });
  const sub = (v: string) => v.replaceAll('$DIR', dir);
  for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), text);
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    ACGS_REDIS_PREFIX: prefix,
    ACGS_RESULTS_DIR: join(dir, 'results'),
  };
  for (const [k, v] of Object.entries(c.env ?? {})) env[k] = sub(v);
  const r = await cli(c.args.map(sub), env);
  const lines = r.stderr.trim().split('\n');
  const what = `${c.name}: acgs-load ${c.args.join(' ')}\nstderr: ${r.stderr}\nstdout tail: ${r.stdout.slice(-300)}`;
  expect(r.code, what).toBe(c.exit);
  expect(lines[0], what).toMatch(c.first);
  expect(r.stderr, what).not.toMatch(SUITE_FRAME);
  expect(r.stderr, what).not.toMatch(/internal error/);
  if (lines[0].startsWith('time=')) {
    expect(lines[0], what).toMatch(/^time="[^"]+" level=error msg="/); // k6's log line: one line, escaped
  } else if (c.needsHint !== false) {
    expect(lines.at(-1), what).toMatch(/^hint: \S|^\(run with --help for usage\)$/);
  }
}

const ALL: Array<[string, BadInputCase[]]> = [
  ['CLI flags', CLI_CASES],
  ['configuration and profile files', PROFILE_CASES],
  ['environment', ENV_CASES],
  ['k6 scripts', SCRIPT_CASES],
];
let n = 0;

describe('bad input', () => {
  it('the table has at least 50 cases', () => {
    expect(ALL.reduce((a, [, cs]) => a + cs.length, 0)).toBeGreaterThanOrEqual(50);
  });

  for (const [group, cases] of ALL) {
    describe.concurrent(group, () => {
      for (const c of cases) {
        const i = n++;
        it(c.name, () => check(c, i), 120_000);
      }
    });
  }
});

describe('no partial writes', () => {
  it('after every case, the database has no table and the prefix no key', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    await c.end();
    expect(rows[0].n).toBe(0);
    expect((await redis.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 10_000))[1]).toEqual([]);
  });
});
