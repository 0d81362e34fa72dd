/**
 * `acgs-load compare RUN --baseline FILE` (the run against the spread of a
 * baseline's runs) and `acgs-load compare A B` (A = the earlier run, B = the
 * newer one; one run a side: effect sizes only): per figure the change and a
 * verdict (report/compare, docs/comparing.md). Prints a table, or Markdown
 * with --markdown (for a PR comment or $GITHUB_STEP_SUMMARY), and exits with
 * 7 (ExitCode.REGRESSION) when a figure regressed.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { jsonOption, outputs } from '../options.ts';
import { AcgsError, ExitCode } from '../../config/index.ts';
import {
  compareRuns,
  comparisonMarkdown,
  comparisonTable,
  readBaseline,
  readReference,
  readRun,
  DEFAULT_ALPHA,
  DEFAULT_FAIL_FACTOR,
  type Comparison,
  type RunJson,
} from '../../report/index.ts';

interface CompareFlags {
  baseline?: string;
  tolerance?: string;
  alpha?: string;
  failFactor?: string;
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

/** A --fail-factor flag: a factor of at least 1.5 (a change smaller than that is run-to-run noise on any figure). */
export function parseFailFactor(v: string): number {
  const f = Number(v.trim().replace(/^[x×]/, ''));
  if (!Number.isFinite(f) || f < 1.5)
    throw new AcgsError('BAD_FLAG', `--fail-factor '${v}' is not a factor of at least 1.5`, {
      hint: `e.g. --fail-factor ${DEFAULT_FAIL_FACTOR} (the default) or --fail-factor 5`,
    });
  return f;
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
 * Runs the comparison the arguments ask for: a run against a baseline's
 * runs, or one run against another (effect sizes; see report/compare).
 */
export function compareFromArgs(a: string, b: string | undefined, flags: CompareFlags): Comparison {
  const failFactor = flags.failFactor === undefined ? DEFAULT_FAIL_FACTOR : parseFailFactor(flags.failFactor);
  if (flags.baseline) {
    if (b !== undefined)
      throw new AcgsError('BAD_FLAG', `compare got a second run '${b}' and --baseline '${flags.baseline}'`, {
        hint: 'compare one run with a baseline (compare RUN --baseline FILE) or two runs (compare OLD NEW)',
      });
    const cur = readRun(a);
    return compareRuns(cur.run, readBaseline(flags.baseline), { ...levels(cur.run, flags), failFactor });
  }
  if (b === undefined)
    throw new AcgsError('BAD_FLAG', `compare needs two runs or --baseline; got only '${a}'`, {
      hint: 'acgs-load compare results/OLD results/NEW, or acgs-load compare results/latest --baseline baseline.json',
    });
  const reference = readReference(a);
  const cur = readRun(b);
  return compareRuns(cur.run, reference, { ...levels(cur.run, flags), failFactor });
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
    .option('--baseline <file>', 'a baseline written by `acgs-load baseline save` (5 runs recommended)')
    .option(
      '--tolerance <t>',
      "the minimum effect: smallest change that can be a regression, as a fraction or percentage of the figure on its scale (default: the run's results.regressionTolerance, 10 %)",
    )
    .option(
      '--alpha <a>',
      `family-wise significance level against a baseline: the chance that a run of the baseline's build has any figure called a regression (default: the run's results.regressionAlpha, ${DEFAULT_ALPHA})`,
    )
    .option(
      '--fail-factor <f>',
      `one run against another (no spread): a figure with a target worse by this factor or more is a regression (default ${DEFAULT_FAIL_FACTOR})`,
    )
    .option('--markdown', 'print Markdown (pull-request comment, $GITHUB_STEP_SUMMARY)')
    .option('--all', 'list unchanged figures too (table output)')
    .option('--out <file>', 'also write the Markdown to this file')
    .addOption(jsonOption('the comparison (every figure, its change and verdict)'))
    .action((a: string, b: string | undefined, flags: CompareFlags) => {
      const c = compareFromArgs(a, b, flags);
      const md = comparisonMarkdown(c);
      if (flags.out) writeFileSync(flags.out, md);
      const io = outputs(flags.json);
      io.out(flags.markdown ? md : comparisonTable(c, { all: flags.all }));
      io.json(c);
      if (c.regressed) process.exitCode = ExitCode.REGRESSION;
    });
}
