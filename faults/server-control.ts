/**
 * Stopping and starting the servers a fault disturbs. Only two kinds of
 * server can be controlled, so a fault can never stop a server someone else
 * runs:
 *  - throw-away servers this run started itself (services.throwaway), and
 *  - servers the profile names with explicit `services.*.stopCommand` and
 *    `startCommand` (the user vouches for them by writing the commands).
 *
 * Throw-away PostgreSQL: `pg_ctl stop -m fast`, then `pg_ctl start` with the
 * options the server was started with (read from its postmaster.opts, which
 * PostgreSQL writes at start-up), so the same port and socket folder come
 * back. Throw-away Redis: `SHUTDOWN NOSAVE` (the server exits without writing
 * a dump: it restarts empty, as a crashed cache would) and the handle's
 * restart() to launch it again on the same port.
 */
import { spawnSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Config } from '../config/index.ts';
import { type ThrowawayPostgres, type ThrowawayRedis, findBinary, postgresBinDirs } from '../services/index.ts';

/** Stops and starts one server; `start` resolves once the server answers. */
export interface ServerControl {
  /** How it is done, for the report ("throw-away PostgreSQL: pg_ctl stop -m fast / start"). */
  method: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  // initdb/pg_ctl refuse to run as root; services/throwaway.ts does the same.
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function pgCtl(args: string[]): void {
  const bin = findBinary('pg_ctl', postgresBinDirs());
  if (!bin) throw new Error('no pg_ctl found');
  const [c, a] = asPostgresUser(bin, args);
  const r = spawnSync(c, a, { encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0)
    throw new Error(
      `pg_ctl ${args.at(-1)} failed: ${(r.stderr || r.stdout || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`,
    );
}

/**
 * The server options of a running PostgreSQL, from `postmaster.opts`
 * (`/usr/lib/postgresql/15/bin/postgres "-D" "/tmp/x" "-p" "5433" ...`):
 * everything after the binary except `-D DIR`, still quoted for pg_ctl -o.
 */
export function serverOptions(postmasterOpts: string): string {
  const args = postmasterOpts.trim().match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  const out: string[] = [];
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '"-D"' || args[i] === '-D') {
      i++;
      continue;
    }
    out.push(args[i]);
  }
  return out.join(' ');
}

/** Waits until `probe` succeeds (or throws after `timeoutMs`). */
export async function waitUntil(what: string, probe: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`${what} did not answer within ${timeoutMs / 1000} s: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Resolves when PostgreSQL at `url` accepts a connection and answers SELECT 1. */
export async function pgAnswers(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Resolves when Redis at `url` answers PING. */
export async function redisAnswers(url: string): Promise<void> {
  const r = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
  } finally {
    r.disconnect();
  }
}

/** Control of a throw-away PostgreSQL started by this run. */
export function throwawayPostgresControl(h: ThrowawayPostgres): ServerControl {
  let options = '';
  return {
    method: 'throw-away PostgreSQL: pg_ctl stop -m fast, then pg_ctl start with the same options',
    async stop() {
      options = serverOptions(readFileSync(join(h.dataDir, 'postmaster.opts'), 'utf8'));
      pgCtl(['-D', h.dataDir, '-w', '-t', '60', '-m', 'fast', 'stop']);
    },
    async start() {
      pgCtl(['-D', h.dataDir, '-l', join(h.dataDir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
      await waitUntil('PostgreSQL', () => pgAnswers(h.url));
    },
  };
}

/** Control of a throw-away Redis started by this run. */
export function throwawayRedisControl(h: ThrowawayRedis): ServerControl {
  return {
    method: 'throw-away Redis: SHUTDOWN NOSAVE, then the same redis-server command on the same port (restarts empty)',
    async stop() {
      const r = new Redis(h.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      r.on('error', () => {});
      await r.connect();
      // The server closes the connection instead of answering: that is success.
      await r.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      r.disconnect();
      await waitUntil(
        'Redis shutdown',
        async () => {
          const down = await redisAnswers(h.url).then(
            () => false,
            () => true,
          );
          if (!down) throw new Error('still answering');
        },
        10_000,
      );
    },
    async start() {
      await h.restart();
      await waitUntil('Redis', () => redisAnswers(h.url));
    },
  };
}

/** Runs a profile's shell command; rejects with its exit code and last stderr line. */
export function runCommand(command: string, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      // The command itself is not repeated: a profile's command may hold a password.
      else
        reject(
          new Error(
            `the ${signal ? `command was killed (${signal})` : `command exited with code ${code}`}${err.trim() ? `: ${err.trim().split('\n').at(-1)}` : ''}`,
          ),
        );
    });
  });
}

/** Control through the profile's stop/start commands; readiness probed on `url`. */
export function commandControl(
  what: 'PostgreSQL' | 'Redis',
  cmds: { stopCommand: string; startCommand: string },
  url: string,
): ServerControl {
  return {
    method: `${what}: the profile's services.${what === 'PostgreSQL' ? 'postgres' : 'redis'}.stopCommand / startCommand`,
    stop: () => runCommand(cmds.stopCommand),
    async start() {
      await runCommand(cmds.startCommand);
      await waitUntil(what, () => (what === 'PostgreSQL' ? pgAnswers(url) : redisAnswers(url)));
    },
  };
}

/** The controls a run has: throw-away handles first, then the profile's commands, else null. */
export function serverControls(
  config: Readonly<Config>,
  services: {
    databaseUrl: string;
    redisUrl: string;
    throwaway?: { postgres?: ThrowawayPostgres; redis?: ThrowawayRedis };
  },
): { postgres: ServerControl | null; redis: ServerControl | null } {
  const sp = config.services.postgres;
  const sr = config.services.redis;
  const postgres = services.throwaway?.postgres
    ? throwawayPostgresControl(services.throwaway.postgres)
    : sp.stopCommand && sp.startCommand
      ? commandControl(
          'PostgreSQL',
          { stopCommand: sp.stopCommand, startCommand: sp.startCommand },
          services.databaseUrl,
        )
      : null;
  const redis = services.throwaway?.redis
    ? throwawayRedisControl(services.throwaway.redis)
    : sr.stopCommand && sr.startCommand
      ? commandControl('Redis', { stopCommand: sr.stopCommand, startCommand: sr.startCommand }, services.redisUrl)
      : null;
  return { postgres, redis };
}
