/**
 * `acgs-load report RESULTS_DIR [--merge DIR...]`: regenerates report.md and
 * report.html from a results folder. With --merge, folds in the outputs of
 * other k6 instances of the same run (k6-operator pods, or machines running
 * execution segments): their metric streams are merged with this folder's,
 * the k6-derived figures are rebuilt from the merged summaries, and run.json,
 * summary.json and junit.xml are rewritten. The single-instance run.json is
 * kept as run.instance.json and the merged folders in merge.json, so running
 * the command again gives the same result.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AcgsError, loadConfig } from '../../config/index.ts';
import { readRun } from '../../report/compare/index.ts';
import { appendixLines, htmlReport, reportHeader } from '../../report/html/index.ts';
import { junitXml, type JunitChecker } from '../../report/junit.ts';
import { markdownReport } from '../../report/markdown.ts';
import { applyMerge, configOfRun, mergeInstances, readRunSeries, DEFAULT_MAX_POINTS } from '../../report/ndjson/index.ts';
import { parseRunJson, type RunJson } from '../../report/run-json.ts';

interface ReportFlags {
  merge?: string[];
  maxPoints?: string;
}

interface MergeManifest {
  dirs: string[];
  mergedAt: string;
}

/** Merges instance folders into `dir`; returns the merged run and every metric stream to draw. */
async function mergeInto(dir: string, others: string[], write: (name: string, text: string) => void): Promise<{ run: RunJson; streams: string[] }> {
  const single = join(dir, 'run.instance.json');
  if (!existsSync(single)) copyFileSync(join(dir, 'run.json'), single);
  const base = parseRunJson(readFileSync(single, 'utf8'), single);
  const dirs = [dir, ...others.map((d) => resolve(d))];
  const merged = await mergeInstances(dirs);
  const config = configOfRun(base) ?? loadConfig({ profile: base.profile, env: {} });
  mkdirSync(join(dir, 'merged'), { recursive: true });
  const summaryFile = (name: string) => `merged/${name}.summary.json`;
  for (const s of merged.scenarios) write(summaryFile(s.name), JSON.stringify(s.summary, null, 2));
  const run = applyMerge(base, merged, config, summaryFile);
  write('run.json', JSON.stringify(run, null, 2));
  write('summary.json', JSON.stringify(Object.fromEntries(merged.scenarios.map((s) => [s.name, s.summary])), null, 2));
  const checkers = ((run.checks as { checkers?: JunitChecker[] } | null)?.checkers ?? []) as JunitChecker[];
  write('junit.xml', junitXml(run.runId, run.figures, checkers));
  write('merge.json', JSON.stringify({ dirs: dirs.slice(1), mergedAt: new Date().toISOString() } satisfies MergeManifest, null, 2));
  return { run, streams: merged.scenarios.flatMap((s) => s.metricsFiles) };
}

/** Regenerates the reports of a results folder; returns what it wrote, one line per file. */
export async function regenerateReport(dirArg: string, flags: ReportFlags): Promise<string[]> {
  const { dir } = readRun(dirArg);
  const maxPoints = flags.maxPoints === undefined ? DEFAULT_MAX_POINTS : Number(flags.maxPoints);
  if (!Number.isInteger(maxPoints) || maxPoints < 10) {
    throw new AcgsError('BAD_FLAG', `--max-points '${flags.maxPoints}' is not a whole number of at least 10`, { hint: `e.g. --max-points ${DEFAULT_MAX_POINTS} (time buckets per chart)` });
  }
  const written: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    written.push(`${join(dir, name)} (${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB)`);
  };
  // A folder merged before is merged again from the same instances unless new ones are given.
  const manifest = join(dir, 'merge.json');
  const others = flags.merge?.length ? flags.merge : existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as MergeManifest).dirs : [];
  let run: RunJson;
  let streams: string[] | undefined;
  if (others.length) ({ run, streams } = await mergeInto(dir, others, write));
  else run = readRun(dir).run;
  const series = await readRunSeries(dir, run, { maxPoints, metricsFiles: streams });
  write('report.md', markdownReport(reportHeader(run), run.figures, run.tables, appendixLines(run)));
  write('report.html', htmlReport(run, series));
  return written;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('regenerate report.md and report.html from a results folder (and merge several k6 instances of one run)')
    .argument('<results-dir>', 'results/<run-id> (or results/latest)')
    .option('--merge <dirs...>', 'other k6 instances of the same run: results folders or folders of <scenario>.metrics.ndjson files')
    .option('--max-points <n>', `time buckets per chart (default ${DEFAULT_MAX_POINTS})`)
    .action(async (dir: string, flags: ReportFlags) => {
      for (const line of await regenerateReport(dir, flags)) process.stdout.write(`wrote ${line}\n`);
    });
}
