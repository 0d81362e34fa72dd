/**
 * `acgs-load api`: starts the reference governance API and serves until
 * SIGINT / SIGTERM. Prints the URL, and every defect switch that is on.
 * `--openapi` prints the contract (OpenAPI 3.1) instead of serving.
 */
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { profileOption } from '../options.ts';
import {
  AcgsError,
  loadConfig,
  parseDuration,
  QUERY_TYPES,
  redactUrl,
  type Config,
  type QueryType,
} from '../../config/index.ts';
import { openApiDocument, startApi } from '../../api/index.ts';
import { assertCanListen, resolveServices } from '../../services/index.ts';

interface ApiFlags {
  profile?: string;
  port?: string;
  host?: string;
  defectSkipInvalidation?: string;
  defectWrongVersion?: string;
  defectNoTtl?: string;
  defectSkipVoteCounter?: string;
  defectSkipFill?: string;
  defectSlowQuery?: string;
  defectSlowQueryTail?: string;
  warm: boolean;
  logger?: boolean;
  openapi?: boolean;
}

function rate(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new AcgsError('BAD_FLAG', `${flag} '${value}' is not a rate; give a number from 0 to 1`, {
      hint: `e.g. ${flag} 0.1 (10 % of operations)`,
    });
  }
  return n;
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new AcgsError('BAD_FLAG', `--port '${value}' is not a port; give an integer from 0 to 65535`, {
      hint: '0 picks a free port',
    });
  }
  return n;
}

type SlowQueryKeys = {
  slowQueryType?: QueryType;
  slowQueryMs?: number;
  slowQueryFactor?: number;
  slowQueryTailRate?: number;
  slowQueryTailMs?: number;
};

/** `TYPE=REST` split, TYPE checked; null when it is not of that shape. */
function typed(value: string): { type: QueryType; rest: string } | null {
  const at = value.indexOf('=');
  const type = value.slice(0, at).trim();
  if (at < 0 || !(QUERY_TYPES as readonly string[]).includes(type)) return null;
  return { type: type as QueryType, rest: value.slice(at + 1).trim() };
}

/**
 * `--defect-slow-query aggregation=20ms` (every such query 20 ms longer) or
 * `aggregation=+20%` (each takes 20 % longer than it ran): config keys.
 */
function slowQuery(value: string | undefined): SlowQueryKeys {
  if (value === undefined) return {};
  const t = typed(value);
  const pct = t ? /^\+(\d+(?:\.\d+)?)%$/.exec(t.rest) : null;
  if (t && pct && Number(pct[1]) > 0) return { slowQueryType: t.type, slowQueryFactor: 1 + Number(pct[1]) / 100 };
  const ms = t && !pct ? parseDuration(t.rest, { bareString: 'refuse' }) : null;
  if (!t || ms === null || ms <= 0) {
    throw new AcgsError('BAD_FLAG', `--defect-slow-query '${value}' is not TYPE=DELAY or TYPE=+PERCENT%`, {
      hint: `TYPE is one of ${QUERY_TYPES.join(', ')}; DELAY a duration above 0 or PERCENT above 0, e.g. --defect-slow-query aggregation=20ms or aggregation=+20%`,
    });
  }
  return { slowQueryType: t.type, slowQueryMs: ms };
}

/** `--defect-slow-query-tail aggregation=0.02:30ms`: that fraction of the type's queries 30 ms longer. */
function slowQueryTail(value: string | undefined): SlowQueryKeys {
  if (value === undefined) return {};
  const t = typed(value);
  const [r, d] = t ? t.rest.split(':', 2) : [];
  const rate = r === undefined || r.trim() === '' ? NaN : Number(r);
  const ms = d === undefined ? null : parseDuration(d.trim(), { bareString: 'refuse' });
  if (!t || !(rate > 0 && rate <= 1) || ms === null || ms <= 0) {
    throw new AcgsError('BAD_FLAG', `--defect-slow-query-tail '${value}' is not TYPE=RATE:DELAY`, {
      hint: `TYPE is one of ${QUERY_TYPES.join(', ')}; RATE above 0 up to 1; DELAY a duration above 0, e.g. --defect-slow-query-tail aggregation=0.02:30ms`,
    });
  }
  return { slowQueryType: t.type, slowQueryTailRate: rate, slowQueryTailMs: ms };
}

/** Both slowdown flags as config keys; they share one query type. */
function slowdowns(o: ApiFlags): SlowQueryKeys {
  const a = slowQuery(o.defectSlowQuery);
  const b = slowQueryTail(o.defectSlowQueryTail);
  if (a.slowQueryType && b.slowQueryType && a.slowQueryType !== b.slowQueryType) {
    throw new AcgsError(
      'BAD_FLAG',
      `--defect-slow-query names ${a.slowQueryType} and --defect-slow-query-tail names ${b.slowQueryType}; the slowdowns share one query type`,
      { hint: 'name the same query type in both, or give one of the two flags' },
    );
  }
  return { ...a, ...b };
}

/** The configuration flags of this command, as a partial configuration. */
export function flagsToConfig(o: ApiFlags): Record<string, unknown> {
  return {
    api: {
      host: o.host,
      port: port(o.port),
      defects: {
        skipInvalidationRate: rate('--defect-skip-invalidation', o.defectSkipInvalidation),
        wrongVersionRate: rate('--defect-wrong-version', o.defectWrongVersion),
        noTtlRate: rate('--defect-no-ttl', o.defectNoTtl),
        skipVoteCounterRate: rate('--defect-skip-vote-counter', o.defectSkipVoteCounter),
        skipFillRate: rate('--defect-skip-fill', o.defectSkipFill),
        ...slowdowns(o),
      },
    },
    cache: o.warm ? {} : { warmOnStart: false },
  };
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

export function register(program: Command): void {
  program
    .command('api')
    .alias('target') // its name before the reference API was called api/
    .description(summaryOf('api'))
    .addOption(profileOption())
    .option('--port <port>', 'port to listen on (0 = a free one; default api.port)')
    .option('--host <host>', 'address to listen on (default api.host, 127.0.0.1)')
    .option('--defect-skip-invalidation <rate>', 'DEFECT: skip cache invalidation for this fraction of writes')
    .option('--defect-wrong-version <rate>', 'DEFECT: cache this fraction of values with version + 1')
    .option('--defect-no-ttl <rate>', 'DEFECT: write this fraction of cache entries without TTL')
    .option('--defect-skip-vote-counter <rate>', "DEFECT: don't move the amendment counter for this fraction of votes")
    .option(
      '--defect-skip-fill <rate>',
      "DEFECT: don't write this fraction of cache misses (and created rows) to the cache",
    )
    .option(
      '--defect-slow-query <type=delay>',
      'DEFECT: every query of this type takes DELAY longer (aggregation=20ms) or PERCENT longer than it ran (aggregation=+20%)',
    )
    .option(
      '--defect-slow-query-tail <type=rate:delay>',
      "DEFECT: this fraction of the type's queries take DELAY longer (the tail only), e.g. aggregation=0.02:30ms",
    )
    .option('--no-warm', 'do not warm the cache on start')
    .option('--logger', 'log every request (fastify / pino JSON lines)')
    .option('--openapi', 'print the OpenAPI document and exit')
    .action(async (o: ApiFlags) => {
      const config = loadConfig({ profile: o.profile, flags: flagsToConfig(o) });
      if (o.openapi) {
        process.stdout.write(JSON.stringify(await openApiDocument(config), null, 2) + '\n');
        return;
      }
      await assertCanListen(config.api.host, config.api.port, `the API's address (--port/--host, api.port)`);
      const svc = await resolveServices(config);
      try {
        const target = await startApi({
          config,
          databaseUrl: svc.databaseUrl,
          redisUrl: svc.redisUrl,
          logger: o.logger,
        });
        const defects = Object.entries(target.defects);
        // One write, so a reader of the pipe sees the URL and the defect switches together.
        process.stdout.write(
          `acgs-load api listening on ${target.url}\n` +
            `  postgres ${redactUrl(svc.databaseUrl)}  redis ${redactUrl(svc.redisUrl)}  prefix ${config.redis.prefix}\n` +
            (defects.length
              ? `  DEFECTS ON: ${defects.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}\n`
              : ''),
        );
        const sig = await waitForSignal();
        process.stdout.write(`${sig}: stopping\n`);
        await target.close();
      } finally {
        await svc.stop();
      }
    });
}
