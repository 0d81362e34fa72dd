/**
 * Shared setup of the target's integration tests: a seeded database of the
 * test file's own (scale 0.05), a key prefix of its own, a configuration for
 * the target, and a small HTTP helper. Not a test file itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { deepMerge, loadConfig, type Config } from '../../config/index.ts';
import { seedDatabase } from '../../seed/index.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from './services.ts';

export interface Seeded {
  db: TestDatabase;
  prefix: string;
  redis: Redis;
  pg: pg.Client;
  /** Drops the database, deletes the prefix, closes clients. */
  cleanup(): Promise<void>;
}

/** A database seeded at scale 0.05 and an empty prefix, both named after the test file. */
export async function seeded(name: string): Promise<Seeded> {
  const db = await createTestDatabase(name);
  await seedDatabase({ databaseUrl: db.url, scale: 0.05, seed: 42 });
  const prefix = testPrefix(name);
  const redis = newRedis();
  await clearPrefix(redis, prefix);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  return {
    db,
    prefix,
    redis,
    pg: client,
    async cleanup() {
      await client.end();
      await clearPrefix(redis, prefix);
      redis.disconnect();
      await db.drop();
    },
  };
}

/** A validated configuration for a test target: small pool, no warming, given overrides. */
export function targetConfig(prefix: string, overrides: Record<string, unknown> = {}): Readonly<Config> {
  const base = {
    redis: { prefix },
    cache: { warmOnStart: false },
    pool: { size: 2, overflow: 4, acquireTimeoutMs: 5000 },
  };
  return loadConfig({ env: {}, flags: deepMerge(base, overrides) });
}

export interface Answer {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

/** One request; JSON bodies are sent with content-type application/json. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const r = await fetch(base + path, init);
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, json, text };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A throw-away redis-server (no persistence) on `port`; resolves once it answers PING. */
export async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => 50,
    maxRetriesPerRequest: 0,
  });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      if (probe.status !== 'ready') await probe.connect().catch(() => {});
      if ((await probe.ping()) === 'PONG') break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return child;
}

/** Stops a throw-away redis-server and waits for it to exit. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Polls `fn` until it returns true (at most `tries` x `ms`); returns whether it did. */
export async function eventually(fn: () => Promise<boolean>, tries = 100, ms = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, ms));
  }
  return false;
}

/** The value of one sample in Prometheus text (`name{labels}`), 0 when absent. */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return 0;
}

/** A TCP proxy on 127.0.0.1 that a test can cut (refusing and dropping connections) and restore. */
export interface TcpProxy {
  port: number;
  /** Closes the listener and destroys every open connection. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const { connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
  };
  return {
    port,
    cut,
    restore: () => listen(port),
    close: async () => {
      if (server.listening) await cut();
    },
  };
}
