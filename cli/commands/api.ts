/**
 * `acgs-load target`: starts the reference governance API and serves until
 * SIGINT / SIGTERM. Prints the URL, and every fault switch that is on.
 * `--openapi` prints the contract (OpenAPI 3.1) instead of serving.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AcgsError, loadConfig, redactUrl, type Config } from '../../config/index.ts';
import { openApiDocument, startTarget } from '../../api/index.ts';

interface TargetFlags {
  profile: string;
  port?: string;
  host?: string;
  faultSkipInvalidation?: string;
  faultWrongVersion?: string;
  faultNoTtl?: string;
  faultSkipVoteCounter?: string;
  warm: boolean;
  logger?: boolean;
  openapi?: boolean;
}

interface Services {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

function rate(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new AcgsError('BAD_FLAG', `${flag} '${value}' is not a rate; give a number from 0 to 1`, { hint: `e.g. ${flag} 0.1 (10 % of operations)` });
  }
  return n;
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new AcgsError('BAD_FLAG', `--port '${value}' is not a port; give an integer from 0 to 65535`, { hint: '0 picks a free port' });
  }
  return n;
}

/** The configuration flags of this command, as a partial configuration. */
export function flagsToConfig(o: TargetFlags): Record<string, unknown> {
  return {
    target: {
      host: o.host,
      port: port(o.port),
      faults: {
        skipInvalidationRate: rate('--fault-skip-invalidation', o.faultSkipInvalidation),
        wrongVersionRate: rate('--fault-wrong-version', o.faultWrongVersion),
        noTtlRate: rate('--fault-no-ttl', o.faultNoTtl),
        skipVoteCounterRate: rate('--fault-skip-vote-counter', o.faultSkipVoteCounter),
      },
    },
    cache: o.warm ? {} : { warmOnStart: false },
  };
}

/** PostgreSQL and Redis: cli/services.ts when it is there, else the configured or local servers. */
async function services(config: Readonly<Config>): Promise<Services> {
  const servicesFile = new URL('../../services/discover.ts', import.meta.url);
  if (existsSync(servicesFile)) {
    const mod = (await import(servicesFile.href)) as { resolveServices?: (c: Readonly<Config>) => Promise<Services> };
    if (mod.resolveServices) return mod.resolveServices(config);
  }
  return {
    databaseUrl: config.database.url ?? `postgres://postgres@127.0.0.1:5432/${config.database.name}`,
    redisUrl: config.redis.url ?? 'redis://127.0.0.1:6379',
    stop: async () => {},
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
    .command('target')
    .description('start the reference governance API (the system under test) and serve until Ctrl-C')
    .option('-p, --profile <name>', 'profile name or path to a profile JSON file', 'smoke')
    .option('--port <port>', 'port to listen on (0 = a free one; default target.port)')
    .option('--host <host>', 'address to listen on (default target.host, 127.0.0.1)')
    .option('--fault-skip-invalidation <rate>', 'FAULT: skip cache invalidation for this fraction of writes')
    .option('--fault-wrong-version <rate>', 'FAULT: cache this fraction of values with version + 1')
    .option('--fault-no-ttl <rate>', 'FAULT: write this fraction of cache entries without TTL')
    .option('--fault-skip-vote-counter <rate>', "FAULT: don't move the amendment counter for this fraction of votes")
    .option('--no-warm', 'do not warm the cache on start')
    .option('--logger', 'log every request (fastify / pino JSON lines)')
    .option('--openapi', 'print the OpenAPI document and exit')
    .action(async (o: TargetFlags) => {
      const config = loadConfig({ profile: o.profile, flags: flagsToConfig(o) });
      if (o.openapi) {
        process.stdout.write(JSON.stringify(await openApiDocument(config), null, 2) + '\n');
        return;
      }
      const svc = await services(config);
      try {
        const target = await startTarget({ config, databaseUrl: svc.databaseUrl, redisUrl: svc.redisUrl, logger: o.logger });
        const faults = Object.entries(target.faults);
        // One write, so a reader of the pipe sees the URL and the fault switches together.
        process.stdout.write(
          `acgs-load target listening on ${target.url}\n` +
          `  postgres ${redactUrl(svc.databaseUrl)}  redis ${redactUrl(svc.redisUrl)}  prefix ${config.redis.prefix}\n` +
          (faults.length ? `  FAULT SWITCHES ON: ${faults.map(([k, v]) => `${k}=${v}`).join(', ')}\n` : ''),
        );
        const sig = await waitForSignal();
        process.stdout.write(`${sig}: stopping\n`);
        await target.close();
      } finally {
        await svc.stop();
      }
    });
}
