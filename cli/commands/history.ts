/**
 * `acgs-load history <results dir…>`: every judged figure (one with a target)
 * across runs, in start order, with each run's commit, date and profile, and
 * the change points E-divisive means finds in each figure (report/history).
 * Prints a table, or Markdown with --markdown; --html FILE writes a page with
 * a chart per figure, --json the whole history. Exits 0 whatever it finds:
 * a change point is for people to read, `compare` is the gate.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { jsonOption, listOption, outputs } from '../options.ts';
import { AcgsError } from '../../config/index.ts';
import {
  buildHistory,
  collectRuns,
  historyHtml,
  historyMarkdown,
  historyText,
  type ChangePointTest,
} from '../../report/index.ts';

interface HistoryFlags {
  figure?: string[];
  all?: boolean;
  profile?: string;
  alpha?: string;
  permutations?: string;
  seed?: string;
  test?: string;
  markdown?: boolean;
  html?: string;
  json?: string | boolean;
}

/** A number flag within bounds, or a one-line error naming it and what is allowed. */
function numberFlag(name: string, v: string, ok: (n: number) => boolean, allowed: string, example: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n))
    throw new AcgsError('BAD_FLAG', `--${name} '${v}' is not ${allowed}`, { hint: `e.g. --${name} ${example}` });
  return n;
}

/** The history options from the flags, each checked. */
export function historyOptions(flags: HistoryFlags) {
  const test = flags.test ?? 'auto';
  if (!['auto', 'permutation', 't'].includes(test))
    throw new AcgsError('BAD_FLAG', `--test '${test}' is not a significance test; choose auto, permutation or t`, {
      hint: "--test permutation (E-divisive's own), --test t (Student's t, as Apache Otava), or leave it out (auto)",
    });
  return {
    figures: flags.figure,
    all: flags.all,
    profile: flags.profile,
    test: test as ChangePointTest,
    alpha:
      flags.alpha === undefined
        ? undefined
        : numberFlag('alpha', flags.alpha, (n) => n > 0 && n < 1, 'a significance level between 0 and 1', '0.01'),
    permutations:
      flags.permutations === undefined
        ? undefined
        : numberFlag(
            'permutations',
            flags.permutations,
            (n) => Number.isInteger(n) && n >= 19 && n <= 100_000,
            'a whole number from 19 to 100000',
            '199',
          ),
    seed:
      flags.seed === undefined
        ? undefined
        : numberFlag(
            'seed',
            flags.seed,
            (n) => Number.isInteger(n) && n >= 1 && n < 2 ** 32,
            'a whole number from 1 to 2^32 - 1',
            '1',
          ),
  };
}

export function register(program: Command): void {
  program
    .command('history')
    .description(summaryOf('history'))
    .argument('<dirs...>', 'results folders (each holding run folders) or run folders')
    .addOption(listOption('--figure <ids>', 'only these figures: ids, id prefixes (query.join) or globs (query.*.p99)'))
    .option('--all', 'every figure with a value, not only the judged ones (those with a target)')
    .option('-p, --profile <name>', 'only runs of this profile (needed when the runs are of several)')
    .option('--alpha <a>', "significance level of each figure's change points (default 0.01)")
    .option('--test <test>', "auto (default), permutation (E-divisive's), or t (Student's t, as Apache Otava)")
    .option('--permutations <n>', 'permutations per permutation test (default 199)')
    .option('--seed <n>', 'seed of the permutations: the same seed, the same answer (default 1)')
    .option('--markdown', 'print Markdown (a CI step summary)')
    .option('--html <file>', 'also write a self-contained HTML page with a chart per figure')
    .addOption(jsonOption('the history (runs, figures, values, change points)'))
    .action((dirs: string[], flags: HistoryFlags) => {
      const opts = historyOptions(flags);
      const { runs, passedOver } = collectRuns(dirs);
      const h = buildHistory(runs, opts, passedOver);
      if (flags.html) writeFileSync(flags.html, historyHtml(h));
      const io = outputs(flags.json);
      io.out(flags.markdown ? historyMarkdown(h) : historyText(h));
      // on stderr: stdout is the history itself (a step summary appends it whole)
      if (flags.html) process.stderr.write(`wrote ${flags.html}\n`);
      io.json(h);
    });
}
