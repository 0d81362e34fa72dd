/**
 * Preflight: before any load, make sure the services answer, note their
 * versions and round-trip times, and that a base URL given by the user is
 * the governance API (not a typo pointing elsewhere, and not a remote host
 * unless the user said so).
 */
import { isIP } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { AcgsError, redactUrl } from '../config/index.ts';
import { connectPg, ensureDatabase, connectRedis } from '../services/index.ts';

export interface ServiceInfo {
  pgVersion: string;
  redisVersion: string;
  pgRttMs: number;
  redisRttMs: number;
}

const MIN_PG = 13;
const MIN_REDIS = 6;

/** The median time of 20 calls of `call`, one after another (one slow call does not move it). */
async function medianMs(call: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return (times[9] + times[10]) / 2;
}

/** Versions and median round trip of 20 trivial commands to each server. */
export async function probeServices(databaseUrl: string, redisUrl: string): Promise<ServiceInfo> {
  // Redis first: a Redis that refuses us (down, AUTH) fails preflight before the
  // database is created (no half-prepared services).
  (await connectRedis(redisUrl, 'checking Redis')).disconnect();
  // The suite's database is created here when missing (ensureDatabase maps
  // connection, auth and permission errors to AcgsErrors that say the fix).
  await ensureDatabase(databaseUrl);
  let client: pg.Client | null = null;
  let redis: Redis | null = null;
  try {
    client = await connectPg(databaseUrl, 'checking the PostgreSQL version');
    const pgVersion = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
    if (parseInt(pgVersion, 10) < MIN_PG) {
      throw new AcgsError(
        'PG_ERROR',
        `PostgreSQL ${pgVersion} at ${redactUrl(databaseUrl)} is too old; acgs-load needs ${MIN_PG} or newer`,
        { hint: 'use a newer server, e.g. `docker compose up -d postgres`' },
      );
    }
    const pgRttMs = await medianMs(() => client!.query('SELECT 1'));

    redis = await connectRedis(redisUrl, 'checking the Redis version');
    const info = await redis.info('server');
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    if (parseInt(redisVersion, 10) < MIN_REDIS) {
      throw new AcgsError(
        'REDIS_ERROR',
        `Redis ${redisVersion} at ${redactUrl(redisUrl)} is too old; acgs-load needs ${MIN_REDIS} or newer`,
        { hint: 'use a newer server, e.g. `docker compose up -d redis`' },
      );
    }
    const redisRttMs = await medianMs(() => redis!.ping());
    return { pgVersion, redisVersion, pgRttMs, redisRttMs };
  } finally {
    await client?.end().catch(() => undefined);
    redis?.disconnect();
  }
}

/**
 * Loopback: `localhost`, ::1, or an IPv4 literal in 127.0.0.0/8. A host name
 * that merely starts with "127." (e.g. 127.0.0.1.example.com) resolves
 * anywhere, so it is not.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * Checks a user-given base URL: loopback unless `allowRemote`, answers
 * /healthz, and serves the governance API's OpenAPI document.
 */
export async function checkBaseUrl(baseUrl: string, allowRemote: boolean): Promise<{ healthMs: number }> {
  const url = new URL(baseUrl);
  if (!isLoopback(url.hostname) && !allowRemote) {
    throw new AcgsError(
      'UNSAFE_TARGET',
      `--base-url ${url.origin} is not a loopback address; refusing to load-test it without confirmation`,
      {
        hint: 'if you really mean to load this deployment, add --allow-remote-target (and make sure it is not production)',
      },
    );
  }
  let healthMs: number;
  try {
    const t0 = performance.now();
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(5000) });
    healthMs = performance.now() - t0;
    await res.arrayBuffer();
  } catch (e) {
    throw new AcgsError(
      'TARGET_UNREACHABLE',
      `the base URL ${url.origin} does not answer (${(e as Error).cause ? String((e as Error & { cause: Error }).cause.message) : (e as Error).message})`,
      {
        hint: 'start the API there (`acgs-load target`), or leave --base-url out and the run starts the reference target itself',
      },
    );
  }
  type OpenApiDoc = { info?: { title?: string }; paths?: Record<string, unknown> };
  let doc: OpenApiDoc | null = null;
  try {
    const res = await fetch(new URL('/openapi.json', url), { signal: AbortSignal.timeout(5000) });
    if (res.ok) doc = (await res.json()) as OpenApiDoc;
  } catch {
    doc = null;
  }
  if (!doc?.paths || !Object.keys(doc.paths).some((p) => p.startsWith('/api/v1/'))) {
    throw new AcgsError(
      'NOT_THE_TARGET',
      `${url.origin} answers, but is not the ACGS governance API (no /openapi.json with /api/v1/ routes)`,
      {
        hint: 'point --base-url at a deployment of the governance API contract (docs/api.md)',
      },
    );
  }
  return { healthMs };
}

/** GET /healthz of the started target, timed. */
export async function timeHealth(baseUrl: string): Promise<number | null> {
  try {
    const t0 = performance.now();
    const res = await fetch(new URL('/healthz', baseUrl), { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return performance.now() - t0;
  } catch {
    return null;
  }
}
