/**
 * Faults only ever stop servers the run owns: against servers the suite did
 * not start and has no commands for, a fault is refused before any load
 * (exit 6, one line naming the fix, nothing written); with the profile's
 * stop/start commands, the suite stops and starts exactly that server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../services/throwaway.ts';
import { commandControl, runCommand } from '../faults/server-control.ts';
import { createTestDatabase, newRedis, testPrefix, type TestDatabase } from './helpers/services.ts';

const prefix = testPrefix('faults_refusal');
const redis = newRedis();
let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase('faults_refusal');
  dir = mkdtempSync(join(tmpdir(), 'acgs-refusal-'));
});
afterAll(async () => {
  redis.disconnect();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['bin/acgs-load.js', ...args], {
    env: { ...process.env, BASE_URL: '', DATABASE_URL: db.url, ACGS_REDIS_PREFIX: prefix },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('a fault against a server the suite does not own', () => {
  it.each([
    ['redis-stop@1s:1s', 'Redis'],
    ['postgres-restart@1s:1s', 'PostgreSQL'],
    ['redis-slow@1s:1s', 'Redis'],
  ])('--fault %s is refused before any load, exit 6', async (fault, server) => {
    const results = join(dir, fault.replace(/[^a-z0-9]/g, '_'));
    const r = cli(['run', '--profile', 'smoke', '--fault', fault, '--results-dir', results, '--quiet']);
    expect(r.status).toBe(6);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^error\\[FAULT_REFUSED\\]: stage 'preflight: faults': fault ${fault.replace(/[@:]/g, '.')} refused: the ${server} server`,
      ),
    );
    expect(lines.at(-1)).toMatch(/^hint: run with --profile chaos or --throwaway-services/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toMatch(/scenario|▶ migrate|▶ seed/);
    // nothing written: no tables in the database, no key under the prefix, no k6 output
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    await c.end();
    expect(rows[0].n).toBe(0);
    expect((await redis.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 1000))[1]).toEqual([]);
    const runDirs = existsSync(results) ? readdirSync(results).filter((d) => d !== 'latest') : [];
    for (const d of runDirs) expect(existsSync(join(results, d, 'k6'))).toBe(false);
  });

  it('a malformed --fault is bad input (exit 2)', () => {
    const r = cli(['run', '--profile', 'smoke', '--fault', 'redis-stop', '--results-dir', join(dir, 'bad')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error\[BAD_FLAG\]: --fault 'redis-stop': missing "@TIME"/);
  });
});

describe("the profile's stop/start commands", () => {
  let port: number;
  let rdir: string;
  beforeAll(async () => {
    port = await freePort();
    rdir = mkdtempSync(join(tmpdir(), 'acgs-cmd-redis-'));
  });
  afterAll(async () => {
    await runCommand(`redis-cli -p ${port} shutdown nosave`).catch(() => undefined);
    rmSync(rdir, { recursive: true, force: true });
  });

  it('stop and start exactly the server they name', async () => {
    const start = `redis-server --port ${port} --bind 127.0.0.1 --save '' --appendonly no --dir ${rdir} --daemonize yes --logfile ${rdir}/log`;
    await runCommand(start);
    const control = commandControl(
      'Redis',
      { stopCommand: `redis-cli -p ${port} shutdown nosave`, startCommand: start },
      `redis://127.0.0.1:${port}`,
    );
    const ping = () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim();
    expect(ping()).toBe('PONG');
    await control.stop();
    expect(ping()).not.toBe('PONG');
    expect(await redis.ping()).toBe('PONG'); // the shared server is untouched
    await control.start();
    expect(ping()).toBe('PONG');
  });

  it('a failing command is reported without repeating it (it may hold a password)', async () => {
    const err = await runCommand('echo "auth failed" >&2; exit 3 # PGPASSWORD=hunter2').catch((e: Error) => e);
    expect((err as Error).message).toBe('the command exited with code 3: auth failed');
  });
});
