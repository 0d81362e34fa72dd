/**
 * `acgs-load scenario run NAME`: one scenario against the target. The I/O
 * shell around the engine: build the bundle if it is stale, start the target
 * in a child process (seeding an empty database first) unless a base URL is given, map the
 * configuration to the scripts' env, run the engine, stop what was started.
 */
import { AcgsError, type Config } from '../config/index.ts';
import { runK6, ensureBundle, scenarioNames } from '../engine/index.ts';
import { datasetFingerprint, seedDatabase } from '../seed/index.ts';
import { ensureDatabase, resolveServices, startApiProcess, type ApiProcess } from '../services/index.ts';
import { readMarker } from '../schema/index.ts';
import { checkBaseUrl } from './preflight.ts';
import { scenarioEnv } from './scenario-env.ts';

/** What `scenario run` needs. */
export interface ScenarioRunOptions {
  name: string;
  config: Readonly<Config>;
  engine?: 'auto' | 'k6' | 'embedded';
  /** Aim at a running deployment instead of starting the target (else config.api.baseUrl). */
  baseUrl?: string;
  /** `-e K=V` overrides, applied over the configuration's env. */
  env?: Record<string, string>;
  runId?: string;
  summaryExport?: string;
  /** k6 `--out` values, e.g. `json=metrics.ndjson`. */
  out?: string[];
  quiet?: boolean;
  /** Where the engine writes its summary and logs (default the process's). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Progress lines for a person (cli prints them). */
  log?: (line: string) => void;
}

/** The engine's answer plus where the scenario ran. */
export interface ScenarioRunResult {
  exitCode: number;
  engine: string;
  summary: unknown;
  baseUrl: string;
  /** The env the script got (without secrets: the scripts get none). */
  env: Record<string, string>;
}

/** Throws BAD_FLAG listing the scenarios when `name` is not one. */
export function assertScenarioName(name: string): void {
  const names = scenarioNames();
  if (!names.includes(name)) {
    throw new AcgsError('BAD_FLAG', `'${name}' is not a scenario; choose one of ${names.join(', ')}`, {
      hint: 'list them with `acgs-load scenario list`',
    });
  }
}

/** Runs one scenario; the caller sets the process exit code from `exitCode`. */
export async function runScenario(o: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const log = o.log ?? (() => {});
  assertScenarioName(o.name);
  const script = await ensureBundle(o.name);
  const given = o.baseUrl ?? o.config.api.baseUrl;
  let target: ApiProcess | undefined;
  let services: Awaited<ReturnType<typeof resolveServices>> | undefined;
  try {
    let baseUrl: string;
    if (given) {
      await checkBaseUrl(given, o.config.api.allowRemote);
      baseUrl = given.replace(/\/+$/, '');
    } else {
      services = await resolveServices(o.config);
      const { databaseUrl, redisUrl } = services;
      await ensureDatabase(databaseUrl);
      const marker = await readMarker(databaseUrl);
      const { scale, seed } = o.config.seed;
      if (!marker?.fingerprint) {
        log(`seeding the empty database (scale ${scale}, seed ${seed})`);
        await seedDatabase({ databaseUrl, scale, seed, force: o.config.database.force });
      } else if (marker.fingerprint !== datasetFingerprint(scale, seed)) {
        // Reloading someone's dataset is `acgs-load seed`'s decision, not a scenario's.
        log(
          `the database holds another dataset than scale ${scale}, seed ${seed}; running against it (reload with \`acgs-load seed\`)`,
        );
      }
      // A process of its own: the load generator must not share the target's event loop.
      target = await startApiProcess({ config: o.config, databaseUrl, redisUrl });
      baseUrl = target.url;
      log(`target started at ${baseUrl} (pid ${target.pid})`);
    }
    const env = { ...scenarioEnv(o.config, { baseUrl, runId: o.runId }), ...(o.env ?? {}) };
    log(`running ${o.name} (${script})`);
    const r = await runK6(
      { script, env, summaryExport: o.summaryExport, out: o.out, quiet: o.quiet, stdout: o.stdout, stderr: o.stderr },
      o.engine ?? o.config.load.engine,
    );
    return { exitCode: r.exitCode, engine: r.engine, summary: r.summary, baseUrl, env };
  } finally {
    if (target) await target.close().catch(() => undefined);
    if (services) await services.stop().catch(() => undefined);
  }
}
