/**
 * `acgs-load report RESULTS_DIR [--merge DIR...]`: regenerates report.md and
 * report.html from a results folder. With --merge, folds in the outputs of
 * other k6 instances of the same run (k6-operator pods, or machines running
 * execution segments): their metric streams are merged with this folder's,
 * the k6-derived figures are rebuilt from the merged summaries, and run.json,
 * summary.json and junit.xml are rewritten. The single-instance run.json is
 * kept as run.instance.json and the merged folders in merge.json, so running
 * the command again gives the same result.
 *
 * A folder without run.json (k6-operator pods ran the load, no `acgs-load
 * run` wrapped it) is created from the instances alone: client-side figures
 * from the merged summaries, the checkers' result from --checks (the file
 * `acgs-load check --json` wrote), targets from --profile.
 */
import { ladderPlan } from '../../run/index.ts';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { AcgsError, loadConfig } from '../../config/index.ts';
import {
  readRun,
  appendixLines,
  htmlReport,
  reportHeader,
  junitOfRun,
  markdownReport,
  applyMerge,
  configOfRun,
  mergeInstances,
  readRunSeries,
  runFromMerged,
  DEFAULT_MAX_POINTS,
  parseRunJson,
  type RunJson,
} from '../../report/index.ts';

interface ReportFlags {
  merge?: string[];
  maxPoints?: string;
  profile?: string;
  checks?: string;
  runId?: string;
}

interface MergeManifest {
  dirs: string[];
  mergedAt: string;
  /** True when run.json was made from the instances alone (no `acgs-load run` folder). */
  fromInstances?: boolean;
}

type Write = (name: string, text: string) => void;

function writeMerged(
  dir: string,
  run: RunJson,
  summaries: Array<{ name: string; summary: unknown }>,
  manifest: MergeManifest,
  write: Write,
): void {
  mkdirSync(join(dir, 'merged'), { recursive: true });
  for (const s of summaries) write(`merged/${s.name}.summary.json`, JSON.stringify(s.summary, null, 2));
  write('run.json', JSON.stringify(run, null, 2));
  write('summary.json', JSON.stringify(Object.fromEntries(summaries.map((s) => [s.name, s.summary])), null, 2));
  // From the same verdicts as the merged run's exit code (report/verdicts.ts).
  write('junit.xml', junitOfRun(run));
  write('merge.json', JSON.stringify(manifest, null, 2));
}

function readChecks(file: string): RunJson['checks'] {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { ok?: unknown; checkers?: unknown };
    if (typeof c.ok === 'boolean' && Array.isArray(c.checkers)) return c;
  } catch {
    // reported below
  }
  throw new AcgsError('RESULTS_ERROR', `--checks '${file}' is not a checkers result`, {
    hint: 'pass the file written by `acgs-load check --json FILE` against the same PostgreSQL and Redis',
  });
}

/** Creates (or recreates) a run from instance folders alone. */
async function fromInstances(
  dir: string,
  dirs: string[],
  flags: ReportFlags,
  previous: RunJson | null,
  write: Write,
): Promise<{ run: RunJson; streams: string[] }> {
  const merged = await mergeInstances(dirs);
  const config = previous
    ? (configOfRun(previous) ?? loadConfig({ profile: previous.profile, env: {} }))
    : loadConfig({ profile: flags.profile });
  const checks = flags.checks ? readChecks(flags.checks) : ((previous?.checks ?? null) as RunJson['checks']);
  const runId = flags.runId ?? previous?.runId ?? basename(dir);
  const run = runFromMerged(merged, config, {
    runId,
    checks: checks as Parameters<typeof runFromMerged>[2]['checks'],
    ladder: ladderPlan(config),
  });
  writeMerged(dir, run, merged.scenarios, { dirs, mergedAt: new Date().toISOString(), fromInstances: true }, write);
  return { run, streams: merged.scenarios.flatMap((s) => s.metricsFiles) };
}

/** Merges instance folders into the results folder `dir` of an `acgs-load run`. */
async function mergeInto(dir: string, others: string[], write: Write): Promise<{ run: RunJson; streams: string[] }> {
  const single = join(dir, 'run.instance.json');
  if (!existsSync(single)) copyFileSync(join(dir, 'run.json'), single);
  const base = parseRunJson(readFileSync(single, 'utf8'), single);
  const merged = await mergeInstances([dir, ...others]);
  const config = configOfRun(base) ?? loadConfig({ profile: base.profile, env: {} });
  const run = applyMerge(base, merged, config, (name) => `merged/${name}.summary.json`, ladderPlan(config));
  writeMerged(dir, run, merged.scenarios, { dirs: others, mergedAt: new Date().toISOString() }, write);
  return { run, streams: merged.scenarios.flatMap((s) => s.metricsFiles) };
}

/** Regenerates the reports of a results folder; returns what it wrote, one line per file. */
export async function regenerateReport(dirArg: string, flags: ReportFlags): Promise<string[]> {
  const maxPoints = flags.maxPoints === undefined ? DEFAULT_MAX_POINTS : Number(flags.maxPoints);
  if (!Number.isInteger(maxPoints) || maxPoints < 10) {
    throw new AcgsError('BAD_FLAG', `--max-points '${flags.maxPoints}' is not a whole number of at least 10`, {
      hint: `e.g. --max-points ${DEFAULT_MAX_POINTS} (time buckets per chart)`,
    });
  }
  const hasRun = existsSync(join(dirArg, 'run.json')) || (existsSync(dirArg) && statSync(dirArg).isFile());
  if (!hasRun && !flags.merge?.length) readRun(dirArg); // throws the RESULTS_ERROR that explains what to pass
  const dir = hasRun ? readRun(dirArg).dir : resolve(dirArg);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write: Write = (name, text) => {
    writeFileSync(join(dir, name), text);
    written.push(`${join(dir, name)} (${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB)`);
  };
  // A folder merged before is merged again from the same instances unless new ones are given.
  const manifestFile = join(dir, 'merge.json');
  const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as MergeManifest) : null;
  const others = (flags.merge?.length ? flags.merge : (manifest?.dirs ?? [])).map((d) => resolve(d));
  let run: RunJson;
  let streams: string[] | undefined;
  if (!hasRun || manifest?.fromInstances)
    ({ run, streams } = await fromInstances(dir, others, flags, hasRun ? readRun(dir).run : null, write));
  else if (others.length) ({ run, streams } = await mergeInto(dir, others, write));
  else run = readRun(dir).run;
  const series = await readRunSeries(dir, run, { maxPoints, metricsFiles: streams });
  write('report.md', markdownReport(reportHeader(run), run.figures, run.tables, appendixLines(run)));
  write('report.html', htmlReport(run, series));
  return written;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(summaryOf('report'))
    .argument('<results-dir>', 'results/<run-id> (or results/latest)')
    .option(
      '--merge <dirs...>',
      'other k6 instances of the same run: results folders or folders of <scenario>.metrics.ndjson files',
    )
    .option('--max-points <n>', `time buckets per chart (default ${DEFAULT_MAX_POINTS})`)
    .option('-p, --profile <name>', 'for a folder without run.json: the profile whose targets apply (default smoke)')
    .option('--checks <file>', "for a folder without run.json: the checkers' result (`acgs-load check --json FILE`)")
    .option('--run-id <id>', 'for a folder without run.json: the run id (default: the folder name)')
    .action(async (dir: string, flags: ReportFlags) => {
      for (const line of await regenerateReport(dir, flags)) process.stdout.write(`wrote ${line}\n`);
    });
}
