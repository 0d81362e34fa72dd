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
  compareRuns,
  comparisonMarkdown,
  comparisonTable,
  readBaseline,
  readReference,
  readRun,
  type Comparison,
  type RunJson,
} from '../../report/index.ts';

interface CompareFlags {
  baseline?: string;
  tolerance?: string;
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

/** The tolerance the run was configured with (results.regressionTolerance), else 10 %. */
function runTolerance(run: RunJson): number {
  const t = (run.config as { results?: { regressionTolerance?: unknown } } | null)?.results?.regressionTolerance;
  return typeof t === 'number' && Number.isFinite(t) ? t : 0.1;
}

/** Runs the comparison the arguments ask for. */
export function compareFromArgs(a: string, b: string | undefined, flags: CompareFlags): Comparison {
  let current: RunJson;
  let comparison: Comparison;
  if (flags.baseline) {
    if (b !== undefined)
      throw new AcgsError('BAD_FLAG', `compare got a second run '${b}' and --baseline '${flags.baseline}'`, {
        hint: 'compare one run with a baseline (compare RUN --baseline FILE) or two runs (compare OLD NEW)',
      });
    current = readRun(a).run;
    const tolerance = flags.tolerance === undefined ? runTolerance(current) : parseTolerance(flags.tolerance);
    comparison = compareRuns(current, readBaseline(flags.baseline), { tolerance });
  } else {
    if (b === undefined)
      throw new AcgsError('BAD_FLAG', `compare needs two runs or --baseline; got only '${a}'`, {
        hint: 'acgs-load compare results/OLD results/NEW, or acgs-load compare results/latest --baseline baseline.json',
      });
    const reference = readReference(a);
    current = readRun(b).run;
    const tolerance = flags.tolerance === undefined ? runTolerance(current) : parseTolerance(flags.tolerance);
    comparison = compareRuns(current, reference, { tolerance });
  }
  return comparison;
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
