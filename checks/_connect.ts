/**
 * Connections of the checkers: a small PostgreSQL pool and the Redis primaries
 * to sweep. A standalone Redis is one primary; a Redis Cluster (detected with
 * INFO cluster) is swept on every primary (ioredis Cluster.nodes('master')),
 * since SCAN only walks the node it is sent to.
 */
import pg from 'pg';
import { Cluster, Redis } from 'ioredis';
import { AcgsError, redactUrl } from '../config/index.ts';
import { pgError, redisError } from '../services/index.ts';

/** Opens a pool and proves the database answers; AcgsError PG_UNREACHABLE otherwise. */
export async function openPg(databaseUrl: string, max: number): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: 'acgs-load checks' });
  pool.on('error', () => {}); // idle-client errors surface on the next query instead
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => {});
    throw pgError(e, databaseUrl, 'checking consistency');
  }
  return pool;
}

/** The Redis nodes to SCAN (primaries) and how to close them. */
export interface RedisNodes {
  /** One per primary; reads for keys found on a node go to that node. */
  primaries: Redis[];
  cluster: boolean;
  close(): Promise<void>;
}

/** Connects to Redis, switching to cluster mode when the server is a cluster node. */
export async function openRedis(redisUrl: string): Promise<RedisNodes> {
  const first = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | null = null;
  first.on('error', (e: Error) => {
    lastError = e;
  }); // the reason a connect failed ("Connection is closed" hides it)
  let info: string;
  try {
    await first.connect();
    info = await first.info('cluster');
  } catch (err) {
    first.disconnect();
    // "Connection is closed" hides the reason a connect failed; an AUTH refusal names it.
    const e = lastError && /NOAUTH|WRONGPASS/.test((lastError as Error).message) ? lastError : err;
    throw redisError(e, redisUrl, 'checking consistency');
  }
  if (!/cluster_enabled:1/.test(info)) {
    return { primaries: [first], cluster: false, close: async () => void (await first.quit().catch(() => {})) };
  }
  first.disconnect();
  const u = new URL(redisUrl);
  const cluster = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    redisOptions: {
      username: u.username || undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
    },
  });
  cluster.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    cluster.once('ready', () => resolve());
    cluster.once('end', () =>
      reject(
        new AcgsError('REDIS_UNREACHABLE', `Redis Cluster at '${redactUrl(redisUrl)}' did not become ready`, {
          hint: 'check the cluster state with redis-cli cluster info',
        }),
      ),
    );
  });
  return {
    primaries: cluster.nodes('master'),
    cluster: true,
    close: async () => void (await cluster.quit().catch(() => {})),
  };
}
