/**
 * `acgs-load baseline save RUN... --out FILE`: keeps each figure's spread
 * over several runs of the same profile and build, so `compare --baseline`
 * (and `run --baseline`) can tell a regression from run-to-run noise.
 * `acgs-load baseline show FILE` prints the spread.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { AcgsError } from '../../config/index.ts';
import { buildBaseline, readBaseline, readRun, formatValue } from '../../report/index.ts';

export function register(program: Command): void {
  const cmd = program.command('baseline').description(summaryOf('baseline'));
  cmd
    .command('save')
    .description('build a baseline from several runs of the same profile (three or more make the spread meaningful)')
    .argument('<runs...>', 'results folders or run.json files')
    .requiredOption('-o, --out <file>', 'where to write the baseline JSON')
    .action((runs: string[], flags: { out: string }) => {
      const loaded = runs.map((r) => readRun(r).run);
      let baseline;
      try {
        baseline = buildBaseline(loaded);
      } catch (e) {
        throw new AcgsError('RESULTS_ERROR', (e as Error).message, {
          hint: 'pass runs of one profile: acgs-load baseline save results/RUN1 results/RUN2 results/RUN3 --out baseline.json',
        });
      }
      writeFileSync(flags.out, JSON.stringify(baseline, null, 2) + '\n');
      const note =
        loaded.length < 2
          ? ' (one run: no spread; compare judges by tolerance only and calls nothing a regression)'
          : loaded.length < 3
            ? " (fewer than 3 runs: the spread is a rough guess; compare's interval, Student's t with 1 degree of freedom, is very wide)"
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
