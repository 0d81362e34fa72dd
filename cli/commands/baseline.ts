/**
 * `acgs-load baseline save RUN... --out FILE`: keeps each figure's value in
 * each of several runs of the same profile and build (5 recommended), so
 * `compare --baseline` (and `run --baseline`) can tell a regression from
 * run-to-run noise. Fewer than 3 runs are refused: one or two runs cannot
 * show a figure's spread, and a baseline without one can call nothing a
 * regression, which would pass every night unseen. `--allow-few` keeps them
 * anyway (compare then judges as one run against another, by effect size).
 * `acgs-load baseline show FILE` prints the spread.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { AcgsError } from '../../config/index.ts';
import {
  buildBaseline,
  readBaseline,
  readRun,
  formatValue,
  MIN_BASELINE_RUNS,
  RECOMMENDED_BASELINE_RUNS,
} from '../../report/index.ts';

export function register(program: Command): void {
  const cmd = program.command('baseline').description(summaryOf('baseline'));
  cmd
    .command('save')
    .description(
      `build a baseline from several runs of the same profile and build (at least ${MIN_BASELINE_RUNS}, ${RECOMMENDED_BASELINE_RUNS} recommended)`,
    )
    .argument('<runs...>', 'results folders or run.json files')
    .requiredOption('-o, --out <file>', 'where to write the baseline JSON')
    .option(
      '--allow-few',
      `keep fewer than ${MIN_BASELINE_RUNS} runs anyway: compare then judges each figure as one run against another (effect sizes, --fail-factor)`,
    )
    .action((runs: string[], flags: { out: string; allowFew?: boolean }) => {
      const loaded = runs.map((r) => readRun(r).run);
      let baseline;
      try {
        baseline = buildBaseline(loaded, { allowFew: flags.allowFew });
      } catch (e) {
        const few = loaded.length < MIN_BASELINE_RUNS && !flags.allowFew;
        throw new AcgsError('RESULTS_ERROR', (e as Error).message, {
          hint: few
            ? `run the profile ${RECOMMENDED_BASELINE_RUNS - loaded.length} more time(s) on the same build and pass all ${RECOMMENDED_BASELINE_RUNS} runs, or add --allow-few to keep these (judged as one run against another)`
            : 'pass distinct runs of one profile: acgs-load baseline save results/RUN1 results/RUN2 results/RUN3 results/RUN4 results/RUN5 --out baseline.json',
        });
      }
      writeFileSync(flags.out, JSON.stringify(baseline, null, 2) + '\n');
      const note =
        loaded.length < MIN_BASELINE_RUNS
          ? ` (fewer than ${MIN_BASELINE_RUNS}: no spread; compare judges each figure as one run against another, by effect size, and calls a regression only beyond the fail factor)`
          : loaded.length < RECOMMENDED_BASELINE_RUNS
            ? ` (${RECOMMENDED_BASELINE_RUNS} recommended: with ${loaded.length}, each figure's spread has ${loaded.length - 1} degrees of freedom and its band is wider)`
            : '';
      process.stdout.write(
        `wrote ${flags.out}: ${Object.keys(baseline.figures).length} figures over ${loaded.length} run(s) of profile ${baseline.profile}${note}\n`,
      );
    });
  cmd
    .command('show')
    .description('print the figures of a baseline with their spread')
    .argument('<file>', 'a baseline JSON file')
    .action((file: string) => {
      const b = readBaseline(file);
      process.stdout.write(
        `baseline of ${b.runs.length} run(s), profile ${b.profile}: ${b.runs.map((r) => r.runId).join(', ')}\n`,
      );
      for (const [id, f] of Object.entries(b.figures)) {
        if (f.n === 0) continue;
        const v = (x: number | null) => formatValue(x, f.unit);
        process.stdout.write(
          `${id.padEnd(44)} mean ${v(f.mean).padStart(14)}  min ${v(f.min).padStart(14)}  max ${v(f.max).padStart(14)}  sd ${v(f.stddev).padStart(12)}  n ${f.n}\n`,
        );
      }
    });
}
