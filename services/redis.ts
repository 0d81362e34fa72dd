/**
 * Connecting to Redis and mapping its failures to AcgsErrors (REDIS_UNREACHABLE,
 * REDIS_AUTH, REDIS_ERROR); deleting the suite's keys with SCAN + UNLINK under
 * its prefix only (never KEYS, never FLUSHDB/FLUSHALL).
 */
import { Redis } from 'ioredis';
import { AcgsError, isAcgsError, redactUrl } from '../config/index.ts';

/** host:port of a redis URL, for messages. */
export function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '6379'}`;
  } catch {
    return redactUrl(url);
  }
}

/** Maps an ioredis error to an AcgsError. */
export function redisError(e: unknown, url: string, doing: string): AcgsError {
  if (isAcgsError(e)) return e;
  const err = e as { code?: string; message?: string };
  const msg = String(err?.message ?? e).replace(/\s+/g, ' ');
  const where = describeRedis(url);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return new AcgsError('REDIS_AUTH', `Redis at ${where} refused authentication while ${doing}: ${msg}`, {
      cause: e,
      hint: 'put the password in REDIS_URL (redis://:password@host:6379 or redis://user:password@host:6379)',
    });
  }
  if (
    /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|connect|Connection is closed|max retries/i.test(
      `${err?.code ?? ''} ${msg}`,
    )
  ) {
    return new AcgsError('REDIS_UNREACHABLE', `cannot reach Redis at ${where} (${err?.code ?? msg})`, {
      cause: e,
      hint: 'start Redis, or point REDIS_URL at a running server (docker compose up -d redis: redis://127.0.0.1:6379)',
    });
  }
  return new AcgsError('REDIS_ERROR', `Redis error while ${doing} on ${where}: ${msg}`, {
    cause: e,
    hint: 'see the Redis server log',
  });
}

/** Opens a connection that fails fast instead of retrying forever; the caller quits it. */
export async function connectRedis(url: string, doing = 'connecting'): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: true,
  });
  let lastError: unknown;
  redis.on('error', (e) => (lastError = e)); // reported through the failing command instead
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw redisError(lastError && !/NOAUTH|WRONGPASS/.test(String(e)) ? lastError : e, url, doing);
  }
  return redis;
}

/** Deletes every key under `prefix` with SCAN + UNLINK; returns how many. */
export async function deletePrefix(redis: Redis, prefix: string, count = 1000): Promise<number> {
  if (!prefix || prefix.includes('*'))
    throw new AcgsError('BAD_CONFIG', `refusing to delete keys under prefix '${prefix}'`, {
      hint: 'use a non-empty prefix such as acgs:',
    });
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[?[\]\\]/g, '\\$&')}*`, 'COUNT', count);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
