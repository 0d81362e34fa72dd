/**
 * Safety guards:
 *  - the seeder never loads into (or truncates) a database that has tables
 *    but not the suite's marker, with or without --fresh;
 *  - no source file flushes a Redis database or lists keys with KEYS, and
 *    the prefix deleter refuses an empty or wildcard prefix;
 *  - the target binds 127.0.0.1 unless told otherwise;
 *  - a --base-url at a non-loopback host needs --allow-remote-target (and a
 *    host name that only starts with "127." is not loopback).
 */
import LAYERS from '../bin/layers.cjs';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type AcgsError } from '../config/index.ts';
import { checkBaseUrl, isLoopback } from '../run/preflight.ts';
import { startApiProcess } from '../services/api-process.ts';
import { freePort } from '../services/throwaway.ts';
import { isListening } from '../services/discover.ts';
import { deletePrefix } from '../services/redis.ts';
import { createTestDatabase, newRedis, REDIS_URL, testPrefix, type TestDatabase } from './helpers/services.ts';
import { seedDatabase } from '../seed/index.ts';

const prefix = testPrefix('safety_guards');
const redis = newRedis();
let foreign: TestDatabase;
let ours: TestDatabase;
beforeAll(async () => {
  [foreign, ours] = await Promise.all([createTestDatabase('safety_foreign'), createTestDatabase('safety_ours')]);
  const c = new pg.Client({ connectionString: foreign.url });
  await c.connect();
  await c.query(
    "CREATE TABLE policies (id int primary key, name text); INSERT INTO policies VALUES (1, 'someone else''s')",
  );
  await c.end();
  await seedDatabase({ databaseUrl: ours.url, scale: 0.02, seed: 1 });
}, 120_000);
afterAll(async () => {
  redis.disconnect();
  await foreign?.drop();
  await ours?.drop();
});

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalIp(): string | null {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

describe("the seeder and a database that is not the suite's", () => {
  it.each([[[]], [['--fresh']]])('refuses to seed it %s, leaving its rows (exit 6)', async (extra) => {
    const r = spawnSync(process.execPath, ['bin/acgs-load.js', 'seed', '--scale', '0.02', '--no-warm', ...extra], {
      env: { ...process.env, DATABASE_URL: foreign.url, ACGS_REDIS_PREFIX: prefix },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/^error\[FOREIGN_DATABASE\]/);
    expect(r.stderr).toMatch(/hint: .*--force/);
    const c = new pg.Client({ connectionString: foreign.url });
    await c.connect();
    const rows = (await c.query('SELECT name FROM policies')).rows;
    const tables = (
      await c.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")
    ).rows[0].n;
    await c.end();
    expect(rows).toEqual([{ name: "someone else's" }]);
    expect(tables).toBe(1);
  });

  it('reloads its own marked database with --fresh', async () => {
    const s = await seedDatabase({ databaseUrl: ours.url, scale: 0.02, seed: 2, fresh: true });
    expect(s.skipped).toBe(false);
  });
});

describe('Redis: only the prefix, never a flush', () => {
  /** Source files of the suite (not tests, not dependencies). */
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory())
        return ['node_modules', 'dist', 'results', 'test', '.git'].includes(f) ? [] : sources(p);
      return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
    });
  }

  it('no source file sends FLUSHDB, FLUSHALL or KEYS', () => {
    const files = [...Object.keys(LAYERS), 'bench'].flatMap((d) => sources(d));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments may say "never FLUSHDB"
      expect(code, f).not.toMatch(/\.(flushdb|flushall)\s*\(/i);
      // a command name as ioredis takes it ('KEYS', or any case given to call()); a lowercase
      // 'keys' elsewhere is ordinary JSON or a union's tag (the warm marker's key lists)
      expect(code, f).not.toMatch(/['"`](FLUSHDB|FLUSHALL|KEYS)['"`]/);
      expect(code, f).not.toMatch(
        /\b(call|callBuffer|sendCommand|send_command)\s*\(\s*['"`](flushdb|flushall|keys)['"`]/i,
      );
      expect(code, f).not.toMatch(/\b(redis|client|primary|node|conn|r)\.keys\s*\(/);
    }
  });

  it('the prefix deleter refuses an empty or wildcard prefix and leaves other keys', async () => {
    await expect(deletePrefix(redis, '')).rejects.toThrow(/refusing to delete/);
    await expect(deletePrefix(redis, '*')).rejects.toThrow(/refusing to delete/);
    await redis.set(`${prefix}a`, '1');
    await redis.set(`${prefix.slice(0, -1)}x:b`, '1');
    expect(await deletePrefix(redis, prefix)).toBe(1);
    expect(await redis.get(`${prefix.slice(0, -1)}x:b`)).toBe('1');
    await redis.del(`${prefix.slice(0, -1)}x:b`);
  });
});

describe('the target and the base URL', () => {
  it('binds 127.0.0.1 unless told otherwise', async () => {
    const config = loadConfig({
      env: {},
      flags: { redis: { prefix }, cache: { warmOnStart: false }, pool: { size: 1, overflow: 1 } },
    });
    expect(config.api.host).toBe('127.0.0.1');
    const t = await startApiProcess({ config, databaseUrl: ours.url, redisUrl: REDIS_URL });
    try {
      const url = new URL(t.url);
      expect(url.hostname).toBe('127.0.0.1');
      const ip = externalIp();
      if (ip) expect(await isListening(ip, Number(url.port))).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('loopback means localhost, ::1 or a 127.x address, not a name starting with 127.', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['127.0.0.1.nip.io', '10.0.0.1', '0.0.0.0', 'example.com', '128.0.0.1'])
      expect(isLoopback(h), h).toBe(false);
  });

  it('a non-loopback --base-url is refused without --allow-remote-target, and only then', async () => {
    const ip = externalIp() ?? '192.0.2.10';
    const url = `http://${ip}:${await freePort()}`;
    const refused = await checkBaseUrl(url, false).catch((e: AcgsError) => e);
    expect((refused as AcgsError).kind).toBe('UNSAFE_TARGET');
    expect((refused as AcgsError).exitCode).toBe(6);
    expect((refused as AcgsError).hint).toContain('--allow-remote-target');
    expect(
      ((await checkBaseUrl('http://127.0.0.1.nip.io:1', false).catch((e: AcgsError) => e)) as AcgsError).kind,
    ).toBe('UNSAFE_TARGET');
    if (externalIp()) {
      const allowed = await checkBaseUrl(url, true).catch((e: AcgsError) => e);
      expect((allowed as AcgsError).kind).toBe('TARGET_UNREACHABLE'); // past the guard: the port is closed
    }
  });
});
