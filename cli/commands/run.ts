/**
 * `acgs-load run --profile NAME`: the whole pipeline (run/pipeline.ts).
 * Prints one line per stage, then the report's tables, and exits with the
 * documented code (README, "Exit codes").
 */
import { Command, Option } from 'commander';
import { summaryOf } from './index.ts';
import { jsonOption, listOption, outputs, profileOption } from '../options.ts';
import { AcgsError, SCENARIO_NAMES, loadConfig } from '../../config/index.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline, type RunOutcome } from '../../run/index.ts';
import type { RunJson } from '../../report/index.ts';
import { gracefulSignals } from '../signals.ts';
import { checkProgressPrinter, seedProgressPrinter, warmProgressPrinter } from '../progress.ts';
import { parseFaultFlags } from '../../faults/index.ts';

interface RunFlags {
  profile?: string;
  scenario?: string[];
  engine?: 'auto' | 'k6' | 'embedded';
  baseUrl?: string;
  allowRemoteTarget?: boolean;
  scale?: string;
  seed?: string;
  fresh?: boolean;
  force?: boolean;
  repair?: boolean;
  resultsDir?: string;
  baseline?: string;
  quiet?: boolean;
  /** Faults to inject (`--fault`). */
  fault?: string[];
  throwawayServices?: boolean;
  json?: string | boolean;
}

/** What `run --json` prints: the verdict, its reasons and every figure with its source (run.json has the rest). */
function runJsonOutcome(o: RunOutcome): object {
  const run = JSON.parse(readFileSync(join(o.resultsPath, 'run.json'), 'utf8')) as RunJson;
  return {
    runId: o.runId,
    exitCode: o.exitCode,
    verdict: run.verdict,
    reasons: o.reasons,
    resultsPath: o.resultsPath,
    figures: run.figures,
  };
}

function numberFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n))
    throw new AcgsError('BAD_FLAG', `${name} '${v}' is not a number`, {
      hint: `give ${name} a number, e.g. ${name} 1`,
    });
  return n;
}

/** Flags -> the partial configuration they override. */
export function runFlagsToConfig(f: RunFlags): Record<string, unknown> {
  for (const s of f.scenario ?? []) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(s)) {
      throw new AcgsError('BAD_FLAG', `--scenario '${s}' is not a scenario; choose from ${SCENARIO_NAMES.join(', ')}`, {
        hint: 'list them with `acgs-load scenario list`',
      });
    }
  }
  return {
    seed: { scale: numberFlag('--scale', f.scale), seed: numberFlag('--seed', f.seed), fresh: f.fresh || undefined },
    database: { force: f.force || undefined, repair: f.repair || undefined },
    load: { scenarios: f.scenario?.length ? f.scenario : undefined, engine: f.engine },
    api: { baseUrl: f.baseUrl, allowRemote: f.allowRemoteTarget || undefined },
    results: { dir: f.resultsDir, baseline: f.baseline },
    faults: parseFaultFlags(f.fault), // replaces the profile's faults
    services: { throwaway: f.throwawayServices || undefined },
  };
}

export function register(program: Command): void {
  program
    .command('run')
    .description(summaryOf('run'))
    .addOption(profileOption())
    .addOption(listOption('--scenario <names>', "run these scenarios instead of the profile's"))
    .addOption(
      new Option('--engine <engine>', 'k6 binary, embedded engine, or auto').choices(['auto', 'k6', 'embedded']),
    )
    .option('--base-url <url>', 'load an already running deployment instead of starting the target')
    .option('--allow-remote-target', 'confirm that --base-url may point at a non-loopback host')
    .option('--scale <n>', 'data scale factor (1 ≈ 100k rows)')
    .option('--seed <n>', 'data seed')
    .option('--fresh', 'reload the data even when the fingerprint matches')
    .option('--force', 'use a database that has tables but no acgs-load marker')
    .option(
      '--repair',
      'when the schema drifted from the migrations, re-create missing indexes and constraints instead of refusing',
    )
    .option('--results-dir <dir>', 'where results/<run-id>/ goes')
    .option('--baseline <file>', 'compare with this baseline file')
    .option('-q, --quiet', 'no live engine progress line')
    .addOption(jsonOption('the verdict, its reasons and every figure'))
    .option(
      '--fault <spec>',
      'inject a fault KIND@TIME[:DURATION] during the scenarios, e.g. redis-stop@10s:5s (kinds: redis-stop, postgres-restart, redis-slow, pool-exhaust); repeatable',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--throwaway-services',
      'start throw-away PostgreSQL and Redis for this run (needed for faults that stop a server)',
    )
    .action(async (flags: RunFlags) => {
      const config = loadConfig({ profile: flags.profile, flags: runFlagsToConfig(flags) });
      const io = outputs(flags.json);
      // progress goes where the stage lines go, so they read in order
      const progressStream = flags.json === true ? process.stderr : process.stdout;
      const signals = gracefulSignals('the run');
      const outcome = await runPipeline({
        config,
        log: (l) => io.out(l + '\n'),
        // off a terminal the engine prints a line every 10 s (what CI sees); --quiet silences it
        quietEngine: Boolean(flags.quiet) || flags.json === true,
        progress: {
          seed: () => seedProgressPrinter(progressStream),
          warm: () => warmProgressPrinter(progressStream),
          checks: () => checkProgressPrinter(progressStream),
        },
        engineOutput: flags.json === true ? process.stderr : undefined,
        signal: signals.signal,
      }).finally(() => signals.dispose());
      io.out('\n' + outcome.markdown + '\n');
      io.out(`results: ${outcome.resultsPath}\n`);
      for (const r of outcome.reasons) io.out(`  - ${r}\n`);
      io.json(runJsonOutcome(outcome));
      process.exitCode = outcome.exitCode;
    });
}
