/**
 * Finding PostgreSQL and Redis for a command, in this order:
 *   1. DATABASE_URL / REDIS_URL (config.database.url / config.redis.url);
 *   2. local servers on 127.0.0.1:5432 / 127.0.0.1:6379 (PostgreSQL database
 *      config.database.name, created by the command when missing);
 *   3. throw-away servers from local binaries (initdb/pg_ctl, redis-server)
 *      in a temporary folder on a free port, stopped by `stop()`;
 *   4. otherwise AcgsError NO_SERVICES naming what was tried and how to get them.
 */
import { COMPOSE_DATABASE_URL } from './postgres.ts';
import { Socket } from 'node:net';
import { AcgsError, type Config } from '../config/index.ts';
import { startThrowawayPostgres, startThrowawayRedis } from './throwaway.ts';

export { startThrowawayPostgres, startThrowawayRedis } from './throwaway.ts';

/** The services a command uses, where they came from, and how to stop throw-away ones. */
export interface Services {
  databaseUrl: string;
  redisUrl: string;
  source: { postgres: 'env' | 'local' | 'throwaway'; redis: 'env' | 'local' | 'throwaway' };
  /** Stops throw-away servers (no-op for the others). */
  stop(): Promise<void>;
  /** Faults: handles of the throw-away servers this command started, which faults may stop and start. */
  throwaway?: { postgres?: ThrowawayPostgres; redis?: ThrowawayRedis };
}

/** A throw-away PostgreSQL started by {@link startThrowawayPostgres}. */
export type ThrowawayPostgres = Awaited<ReturnType<typeof startThrowawayPostgres>>;
/** A throw-away Redis started by {@link startThrowawayRedis}. */
export type ThrowawayRedis = Awaited<ReturnType<typeof startThrowawayRedis>>;

/**
 * Faults: `services.throwaway` starts both servers for this command
 * alone, whatever DATABASE_URL / REDIS_URL say, so a fault can only ever stop a
 * server the run owns.
 */
async function throwawayServices(config: Readonly<Config>): Promise<Services> {
  const pg = await startThrowawayPostgres().catch((e: Error) => {
    throw new AcgsError(
      'NO_SERVICES',
      `services.throwaway is set, but no throw-away PostgreSQL could start: ${e.message}`,
      {
        hint: 'install the PostgreSQL server binaries (Debian package postgresql), or set services.throwaway to false',
      },
    );
  });
  let redis: ThrowawayRedis;
  try {
    redis = await startThrowawayRedis();
  } catch (e) {
    await pg.stop().catch(() => undefined);
    throw new AcgsError(
      'NO_SERVICES',
      `services.throwaway is set, but no throw-away Redis could start: ${(e as Error).message}`,
      {
        hint: 'install redis-server, or set services.throwaway to false',
      },
    );
  }
  return {
    databaseUrl: withDatabase(pg.url, config.database.name),
    redisUrl: redis.url,
    source: { postgres: 'throwaway', redis: 'throwaway' },
    throwaway: { postgres: pg, redis },
    async stop() {
      await redis.stop().catch(() => undefined);
      await pg.stop().catch(() => undefined);
    },
  };
}

/** Whether something accepts TCP connections on host:port (within `timeoutMs`). */
export function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, host, () => done(true));
  });
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

/** Resolves both services; see the file comment for the order. */
export async function resolveServices(config: Readonly<Config>): Promise<Services> {
  if (config.services.throwaway) return throwawayServices(config);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  const tried: string[] = [];
  try {
    let databaseUrl: string | null = null;
    let pgSource: Services['source']['postgres'] = 'env';
    if (config.database.url) databaseUrl = config.database.url;
    else if (await isListening('127.0.0.1', 5432)) {
      const user = process.env.PGUSER ?? 'postgres';
      databaseUrl = `postgres://${encodeURIComponent(user)}@127.0.0.1:5432/${config.database.name}`;
      pgSource = 'local';
    } else {
      tried.push('PostgreSQL: DATABASE_URL is unset', 'PostgreSQL: nothing listens on 127.0.0.1:5432');
      try {
        const pg = await startThrowawayPostgres();
        stops.push(pg.stop);
        databaseUrl = withDatabase(pg.url, config.database.name);
        pgSource = 'throwaway';
      } catch (e) {
        tried.push(`PostgreSQL: throw-away server: ${(e as Error).message}`);
      }
    }

    let redisUrl: string | null = null;
    let redisSource: Services['source']['redis'] = 'env';
    if (config.redis.url) redisUrl = config.redis.url;
    else if (await isListening('127.0.0.1', 6379)) {
      redisUrl = 'redis://127.0.0.1:6379';
      redisSource = 'local';
    } else {
      tried.push('Redis: REDIS_URL is unset', 'Redis: nothing listens on 127.0.0.1:6379');
      try {
        const r = await startThrowawayRedis();
        stops.push(r.stop);
        redisUrl = r.url;
        redisSource = 'throwaway';
      } catch (e) {
        tried.push(`Redis: throw-away server: ${(e as Error).message}`);
      }
    }

    if (!databaseUrl || !redisUrl) {
      const missing = [!databaseUrl && 'PostgreSQL', !redisUrl && 'Redis'].filter(Boolean).join(' and ');
      throw new AcgsError('NO_SERVICES', `no ${missing} found`, {
        details: tried,
        hint: `install the Debian packages postgresql and redis-server, or run \`docker compose up -d postgres redis\` and set DATABASE_URL=${COMPOSE_DATABASE_URL} REDIS_URL=redis://127.0.0.1:6379, or set DATABASE_URL / REDIS_URL to your servers`,
      });
    }
    return { databaseUrl, redisUrl, source: { postgres: pgSource, redis: redisSource }, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
