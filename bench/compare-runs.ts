/**
 * What bench:compare does through the real CLI, each step a child process as a
 * CI job runs it: `acgs-load run --profile FILE` on the bench's own database
 * and key prefix, `baseline save`, `compare RUN --baseline FILE --json`; and
 * the reading of a run's figures from its run.json. Not a bench of its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const CLI = 'bin/acgs-load.js';

/** Where the runs go and what they run on. */
export interface BenchEnv {
  dir: string;
  profileFile: string;
  databaseUrl: string;
  prefix: string;
}

/** One completed run: its results folder, exit code, wall time and figures by id. */
export interface DoneRun {
  label: string;
  path: string;
  exitCode: number;
  seconds: number;
  /** The machine's 1-minute load average (os.loadavg) when the run ended: how busy the machine was. */
  load: number;
  figures: Map<string, number | null>;
}

/** A verdict of one figure in a comparison (the fields every version of `compare --json` has). */
export interface ComparedRow {
  id: string;
  unit?: string;
  verdict: string;
  why?: string;
  current?: number | null;
  reference?: number | null;
  /** The move as a factor, the band (values inside it are noise), the baseline's moderated spread on the scale. */
  test?: { factor?: number | null; interval?: [number, number] | null; sdModerated?: number | null } | null;
}

/** `compare RUN --baseline FILE`: its exit code and rows. */
export interface Compared {
  exitCode: number;
  rows: ComparedRow[];
}

function cli(env: BenchEnv, args: string[], timeoutMs: number): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, BASE_URL: '', DATABASE_URL: env.databaseUrl, ACGS_REDIS_PREFIX: env.prefix },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (r.error) throw new Error(`acgs-load ${args[0]}: ${r.error.message}`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * One `acgs-load run` of the profile `profile` (written to env.profileFile, the
 * one path every run uses, so every run has the same profile name). A run that
 * missed targets still counts: the comparison is about its figures; a run that
 * wrote no run.json (or skipped a scenario) is an error, never a data point.
 */
export function runProfile(env: BenchEnv, label: string, profile: Record<string, unknown>): DoneRun {
  writeFileSync(env.profileFile, JSON.stringify(profile, null, 2));
  const t0 = performance.now();
  const r = cli(
    env,
    ['run', '--profile', env.profileFile, '--results-dir', join(env.dir, 'results'), '--quiet'],
    1_800_000,
  );
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(join(env.dir, `${label}.log`), r.stdout + '\n--- stderr\n' + r.stderr);
  const path = /^results: (.+)$/m.exec(r.stdout)?.[1];
  // 0 passed, 3 a checker's violation, 4 targets missed: the run completed and its figures are data.
  if (![0, 3, 4].includes(r.status) || !path || !existsSync(join(path, 'run.json'))) {
    throw new Error(`run ${label} did not complete (exit ${r.status}); see ${join(env.dir, `${label}.log`)}`);
  }
  const run = JSON.parse(readFileSync(join(path, 'run.json'), 'utf8')) as {
    figures: Array<{ id: string; value: number | null }>;
    scenarios: Array<{ name: string; exitCode: number | null }>;
    config: { load: { scenarios: string[] } };
  };
  const ran = new Set(run.scenarios.map((s) => s.name));
  const skipped = run.config.load.scenarios.filter((s) => !ran.has(s));
  if (skipped.length) throw new Error(`run ${label}: scenarios ${skipped.join(', ')} did not run; see ${path}`);
  const figures = new Map(run.figures.map((f) => [f.id, f.value]));
  return { label, path, exitCode: r.status, seconds, load: loadavg()[0], figures };
}

/** The compiled CLI and API bundles the runs execute; a rebuild between runs changes their times. */
const BUNDLES = ['dist/cli.js', 'dist/api-child.js'];

/**
 * Builds the CLI if a source is newer (`acgs-load --version`) and returns a
 * check to call after each run: it throws when the bundles were rebuilt
 * meanwhile (a source was edited), because runs of two builds are not the
 * noise of one build, which is what the false-alarm count measures.
 */
export function freezeBuild(env: BenchEnv): () => void {
  cli(env, ['--version'], 120_000);
  const stamp = () => BUNDLES.map((f) => statSync(f).mtimeMs).join(',');
  const at = stamp();
  return () => {
    if (stamp() !== at) {
      throw new Error(
        'the CLI was rebuilt during the bench (a source changed): its runs are of two builds; run it on a checkout nobody edits meanwhile',
      );
    }
  };
}

/** `acgs-load baseline save RUNS... --out FILE`; the file. */
export function saveBaseline(env: BenchEnv, runs: DoneRun[]): string {
  const out = join(env.dir, 'baseline.json');
  // Fewer than 3 runs only when asked for (a quick look at the bench itself): compare then says it cannot judge.
  const few = runs.length < 3 ? ['--allow-few'] : [];
  const r = cli(env, ['baseline', 'save', ...runs.map((x) => x.path), ...few, '--out', out], 120_000);
  if (r.status !== 0 || !existsSync(out)) throw new Error(`baseline save exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return out;
}

/** `acgs-load compare RUN --baseline FILE --json`: exit code 0 (no regression) or 7, and every row. */
export function compareWithBaseline(env: BenchEnv, run: DoneRun, baseline: string): Compared {
  // The JSON goes to a file: through a pipe, a large one (the nightly's ~300 KB) can be cut short
  // when the CLI exits before the pipe drained (cli/main.ts process.exit).
  const out = join(env.dir, `${run.label}.compare.json`);
  const r = cli(env, ['compare', run.path, '--baseline', baseline, '--json', out], 300_000);
  writeFileSync(join(env.dir, `${run.label}.compare.txt`), r.stdout + r.stderr);
  if ((r.status !== 0 && r.status !== 7) || !existsSync(out)) {
    throw new Error(`compare ${run.label} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  }
  const json = JSON.parse(readFileSync(out, 'utf8')) as { rows: ComparedRow[] };
  return { exitCode: r.status, rows: json.rows };
}

/** The query type a figure id is about: query.<type>.*, query.scenario.<s>.<type>.*, plan.<type>.*; else null. */
export function queryTypeOf(id: string): string | null {
  return (
    /^(?:query\.(?:scenario\.[^.]+\.)?|plan\.)(simple|join|aggregation|complex|index_scan)\./.exec(id)?.[1] ?? null
  );
}

/** Figures over every query type or every request at once: they contain a slowed type's queries too. */
export const POOLED = /^(query\.all\.|scenario\.[^.]+\.(avg|p95|p99)$|ladder\.\d+\.(avg|p95|p99)$)/;

/** The median of the finite values; null when there are none. */
export function median(xs: Array<number | null | undefined>): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
