/**
 * Connections of the checkers: a small PostgreSQL pool and the Redis primaries
 * to sweep. A standalone Redis is one primary; a Redis Cluster (detected with
 * INFO cluster) is swept on every primary (ioredis Cluster.nodes('master')),
 * since SCAN only walks the node it is sent to.
 */
import pg from 'pg';
import { Cluster, Redis } from 'ioredis';
import { AcgsError, redactUrl } from '../config/index.ts';

/** Opens a pool and proves the database answers; AcgsError PG_UNREACHABLE otherwise. */
export async function openPg(databaseUrl: string, max: number): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: 'acgs-load checks' });
  pool.on('error', () => {}); // idle-client errors surface on the next query instead
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => {});
    // The server answered but said no: name that, not "did not answer" (issue 9, bad input).
    const code = (e as { code?: string }).code;
    if (code === '3D000') {
      throw new AcgsError('PG_ERROR', `PostgreSQL at '${redactUrl(databaseUrl)}' has no such database: ${(e as Error).message}`, {
        hint: 'run `acgs-load seed` first (it creates and loads the database), or fix the database name in DATABASE_URL',
        cause: e,
      });
    }
    if (code === '28P01' || code === '28000') {
      throw new AcgsError('PG_AUTH', `PostgreSQL at '${redactUrl(databaseUrl)}' rejected the login: ${(e as Error).message}`, {
        hint: 'check the user name and password in DATABASE_URL (postgres://user:password@host:port/db)',
        cause: e,
      });
    }
    throw new AcgsError('PG_UNREACHABLE', `PostgreSQL at '${redactUrl(databaseUrl)}' did not answer: ${(e as Error).message}`, {
      hint: 'start PostgreSQL (docker compose up -d) or set DATABASE_URL to a reachable server',
      cause: e,
    });
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
  const first = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError: Error | null = null;
  first.on('error', (e: Error) => { lastError = e; }); // the reason a connect failed ("Connection is closed" hides it)
  let info: string;
  try {
    await first.connect();
    info = await first.info('cluster');
  } catch (err) {
    first.disconnect();
    const e = lastError && /NOAUTH|WRONGPASS/.test((lastError as Error).message) ? lastError : (err as Error);
    if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test((e as Error).message)) {
      throw new AcgsError('REDIS_AUTH', `Redis at '${redactUrl(redisUrl)}' refused the command without valid credentials: ${(e as Error).message}`, {
        hint: 'put the password in REDIS_URL (redis://:password@host:6379 or redis://user:password@host:6379)',
        cause: e,
      });
    }
    throw new AcgsError('REDIS_UNREACHABLE', `Redis at '${redactUrl(redisUrl)}' did not answer: ${(e as Error).message}`, {
      hint: 'start Redis (docker compose up -d) or set REDIS_URL to a reachable server',
      cause: e,
    });
  }
  if (!/cluster_enabled:1/.test(info)) {
    return { primaries: [first], cluster: false, close: async () => void (await first.quit().catch(() => {})) };
  }
  first.disconnect();
  const u = new URL(redisUrl);
  const cluster = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    redisOptions: { username: u.username || undefined, password: u.password ? decodeURIComponent(u.password) : undefined },
  });
  cluster.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    cluster.once('ready', () => resolve());
    cluster.once('end', () => reject(new AcgsError('REDIS_UNREACHABLE', `Redis Cluster at '${redactUrl(redisUrl)}' did not become ready`, { hint: 'check the cluster state with redis-cli cluster info' })));
  });
  return { primaries: cluster.nodes('master'), cluster: true, close: async () => void (await cluster.quit().catch(() => {})) };
}
