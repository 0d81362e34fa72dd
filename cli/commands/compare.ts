/**
 * `acgs-load compare A B` (A = the earlier run, B = the newer one) and
 * `acgs-load compare RUN --baseline FILE`: per figure the change and a
 * verdict that accounts for noise (report/compare). Prints a table, or
 * Markdown with --markdown (for a PR comment or $GITHUB_STEP_SUMMARY), and
 * exits with 7 (ExitCode.REGRESSION) when a figure regressed.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { jsonOption, outputs } from '../options.ts';
import { AcgsError, ExitCode } from '../../config/index.ts';
import {
  compareRunDirs,
  comparisonMarkdown,
  isBaseline,
  comparisonTable,
  readBaseline,
  readReference,
  readRun,
  DEFAULT_ALPHA,
  MAX_SAMPLES,
  type Comparison,
  type RunJson,
} from '../../report/index.ts';

interface CompareFlags {
  baseline?: string;
  tolerance?: string;
  alpha?: string;
  maxSamples?: string;
  markdown?: boolean;
  all?: boolean;
  out?: string;
  json?: string | boolean;
}

/** A tolerance flag: a fraction (0.1) or a percentage (10%). */
export function parseTolerance(v: string): number {
  const pct = v.trim().endsWith('%');
  const n = Number(pct ? v.trim().slice(0, -1) : v);
  const t = pct ? n / 100 : n;
  if (!Number.isFinite(t) || t < 0 || t > 10) {
    throw new AcgsError('BAD_FLAG', `--tolerance '${v}' is not a fraction between 0 and 10 or a percentage`, {
      hint: 'e.g. --tolerance 0.1 or --tolerance 10%',
    });
  }
  return t;
}

/** An --alpha flag: a significance level in (0, 0.5]. */
export function parseAlpha(v: string): number {
  const a = Number(v);
  if (!Number.isFinite(a) || a <= 0 || a > 0.5)
    throw new AcgsError('BAD_FLAG', `--alpha '${v}' is not a significance level between 0 and 0.5`, {
      hint: 'e.g. --alpha 0.01 (the default) or --alpha 0.001',
    });
  return a;
}

/** A --max-samples flag: a whole number of samples a side, at least 100. */
export function parseMaxSamples(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100)
    throw new AcgsError('BAD_FLAG', `--max-samples '${v}' is not a whole number of at least 100`, {
      hint: `e.g. --max-samples ${MAX_SAMPLES} (the default)`,
    });
  return n;
}

/** A `results.*` number the run was configured with, else `fallback` (runs made before the key existed). */
function runSetting(run: RunJson, key: 'regressionTolerance' | 'regressionAlpha', fallback: number): number {
  const v = (run.config as { results?: Record<string, unknown> } | null)?.results?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Tolerance and α: the flags, else what the current run was configured with, else the defaults. */
function levels(run: RunJson, flags: CompareFlags): { tolerance: number; alpha: number } {
  return {
    tolerance:
      flags.tolerance === undefined ? runSetting(run, 'regressionTolerance', 0.1) : parseTolerance(flags.tolerance),
    alpha: flags.alpha === undefined ? runSetting(run, 'regressionAlpha', DEFAULT_ALPHA) : parseAlpha(flags.alpha),
  };
}

/**
 * Runs the comparison the arguments ask for. Two runs: their latency figures
 * are judged by the rank test of the per-request samples both results
 * folders keep; a baseline: by the spread of its runs.
 */
export async function compareFromArgs(a: string, b: string | undefined, flags: CompareFlags): Promise<Comparison> {
  const maxSamples = flags.maxSamples === undefined ? MAX_SAMPLES : parseMaxSamples(flags.maxSamples);
  if (flags.baseline) {
    if (b !== undefined)
      throw new AcgsError('BAD_FLAG', `compare got a second run '${b}' and --baseline '${flags.baseline}'`, {
        hint: 'compare one run with a baseline (compare RUN --baseline FILE) or two runs (compare OLD NEW)',
      });
    const cur = readRun(a);
    const { tolerance, alpha } = levels(cur.run, flags);
    return compareRunDirs(cur.run, cur.dir, readBaseline(flags.baseline), null, { tolerance, alpha, maxSamples });
  }
  if (b === undefined)
    throw new AcgsError('BAD_FLAG', `compare needs two runs or --baseline; got only '${a}'`, {
      hint: 'acgs-load compare results/OLD results/NEW, or acgs-load compare results/latest --baseline baseline.json',
    });
  const reference = readReference(a);
  const refDir = isBaseline(reference) ? null : readRun(a).dir;
  const cur = readRun(b);
  const { tolerance, alpha } = levels(cur.run, flags);
  return compareRunDirs(cur.run, cur.dir, reference, refDir, { tolerance, alpha, maxSamples });
}

export function register(program: Command): void {
  program
    .command('compare')
    .description(summaryOf('compare'))
    .argument(
      '<a>',
      'with two runs: the earlier run (results folder or run.json, or a baseline file); with --baseline: the run to judge',
    )
    .argument('[b]', 'the newer run (results folder or run.json)')
    .option('--baseline <file>', 'a baseline written by `acgs-load baseline save`')
    .option(
      '--tolerance <t>',
      "smallest change that can be a regression: fraction or percentage (default: the run's results.regressionTolerance, 10 %)",
    )
    .option(
      '--alpha <a>',
      `significance level: of the rank test on latency samples (two runs), of the prediction interval (a baseline); default the run's results.regressionAlpha, ${DEFAULT_ALPHA}`,
    )
    .option(
      '--max-samples <n>',
      `per-request samples kept a side for the rank test; more are subsampled, seeded (default ${MAX_SAMPLES})`,
    )
    .option('--markdown', 'print Markdown (pull-request comment, $GITHUB_STEP_SUMMARY)')
    .option('--all', 'list unchanged figures too (table output)')
    .option('--out <file>', 'also write the Markdown to this file')
    .addOption(jsonOption('the comparison (every figure, its change and verdict)'))
    .action(async (a: string, b: string | undefined, flags: CompareFlags) => {
      const c = await compareFromArgs(a, b, flags);
      const md = comparisonMarkdown(c);
      if (flags.out) writeFileSync(flags.out, md);
      const io = outputs(flags.json);
      io.out(flags.markdown ? md : comparisonTable(c, { all: flags.all }));
      io.json(c);
      if (c.regressed) process.exitCode = ExitCode.REGRESSION;
    });
}
