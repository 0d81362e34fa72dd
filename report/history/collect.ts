/**
 * The runs `acgs-load history` reads: each argument is a run folder (it holds
 * run.json), a run.json, or a results folder whose sub-folders are runs.
 * A run folder without run.json, a run.json that does not parse, or a results
 * folder with no run in it is a mistake (RESULTS_ERROR, exit 2) naming the
 * path; sub-folders of a results folder that are not runs (`k6/` of a compose
 * run) are passed over and listed. The same run reached twice (results/latest
 * beside its own folder) counts once.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AcgsError } from '../../config/index.ts';
import { parseRunJson, type RunJson } from '../run-json.ts';

const HINT =
  'pass results folders (results/) or run folders (results/<run-id>), each run folder holding the run.json its run wrote';

/** A run as history reads it. */
export interface HistoryRun {
  run: RunJson;
  dir: string;
}

/** The runs read, and what was passed over with why. */
export interface CollectedRuns {
  runs: HistoryRun[];
  /** Folders passed over, with why (not a run, a duplicate). */
  passedOver: string[];
}

function readRunFile(file: string): RunJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AcgsError('RESULTS_ERROR', `cannot read '${file}': ${(e as Error).message}`, { hint: HINT, cause: e });
  }
  try {
    return parseRunJson(text, file);
  } catch (e) {
    throw new AcgsError('RESULTS_ERROR', (e as Error).message, {
      hint: 'a run.json is written by `acgs-load run`; pass its folder, or leave a damaged run out',
      cause: e,
    });
  }
}

/** Is this folder a run's (something a run writes is in it, but run.json is missing)? */
function looksLikeRun(dir: string): boolean {
  return ['report.md', 'summary.json', 'junit.xml', 'report.html'].some((f) => existsSync(join(dir, f)));
}

/** The run folders of one argument. */
function runFiles(arg: string, passedOver: string[]): string[] {
  if (!existsSync(arg)) throw new AcgsError('RESULTS_ERROR', `'${arg}' does not exist`, { hint: HINT });
  if (statSync(arg).isFile()) return [arg];
  const own = join(arg, 'run.json');
  if (existsSync(own)) return [own];
  if (looksLikeRun(arg))
    throw new AcgsError(
      'RESULTS_ERROR',
      `run folder '${arg}' has no run.json (its run did not finish writing results)`,
      {
        hint: HINT,
      },
    );
  const found: string[] = [];
  for (const name of readdirSync(arg).sort()) {
    const sub = join(arg, name);
    if (!statSync(sub).isDirectory()) continue;
    if (lstatSync(sub).isSymbolicLink()) continue; // results/latest: the run is also there under its own name
    if (existsSync(join(sub, 'run.json'))) found.push(join(sub, 'run.json'));
    else if (looksLikeRun(sub))
      throw new AcgsError(
        'RESULTS_ERROR',
        `run folder '${sub}' has no run.json (its run did not finish writing results)`,
        {
          hint: `${HINT}; move or delete that folder, or pass the others one by one`,
        },
      );
    else passedOver.push(`${sub}: not a run folder`);
  }
  if (found.length === 0)
    throw new AcgsError('RESULTS_ERROR', `'${arg}' holds no run (no run.json in it or its sub-folders)`, {
      hint: HINT,
    });
  return found;
}

/** Reads every run the arguments name, each once. */
export function collectRuns(args: readonly string[]): CollectedRuns {
  if (args.length === 0)
    throw new AcgsError('RESULTS_ERROR', 'history needs results folders or run folders', { hint: HINT });
  const passedOver: string[] = [];
  const seen = new Map<string, string>();
  const runs: HistoryRun[] = [];
  for (const arg of args) {
    for (const file of runFiles(arg, passedOver)) {
      const real = realpathSync(file);
      const run = readRunFile(file);
      const key = `${run.runId}`;
      if (seen.has(real) || seen.has(key)) {
        passedOver.push(`${dirname(file)}: run ${run.runId} again (also ${seen.get(real) ?? seen.get(key)})`);
        continue;
      }
      seen.set(real, dirname(file));
      seen.set(key, dirname(file));
      runs.push({ run, dir: dirname(file) });
    }
  }
  return { runs, passedOver };
}

/** A short name for a run folder in messages. */
export function runLabel(r: HistoryRun): string {
  return basename(r.dir) === r.run.runId ? r.run.runId : `${r.run.runId} (${r.dir})`;
}
