/**
 * Reading what compare, baseline and report take on the command line: a
 * results folder, a run.json, or a baseline file. Mistakes are AcgsErrors
 * (RESULTS_ERROR) that name the path and say what to pass instead.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AcgsError } from '../../config/index.ts';
import { parseRunJson, type RunJson } from '../run-json.ts';
import { isBaseline, parseBaseline, type Baseline } from './baseline.ts';

const HINT = 'pass a results folder (results/<run-id> or results/latest) or its run.json';

/** The run.json path for a folder or file argument; throws when there is none. */
export function runJsonPath(arg: string): string {
  if (!existsSync(arg)) throw new AcgsError('RESULTS_ERROR', `'${arg}' does not exist`, { hint: HINT });
  const file = statSync(arg).isDirectory() ? join(arg, 'run.json') : arg;
  if (!existsSync(file))
    throw new AcgsError('RESULTS_ERROR', `'${arg}' has no run.json`, {
      hint: `${HINT}; a folder of one k6 instance's outputs goes to 'acgs-load report RESULTS_DIR --merge DIR'`,
    });
  return file;
}

function readJsonText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AcgsError('RESULTS_ERROR', `cannot read '${file}': ${(e as Error).message}`, { hint: HINT, cause: e });
  }
}

/** A run and its results folder, from a folder or run.json argument. */
export function readRun(arg: string): { run: RunJson; dir: string; file: string } {
  const file = runJsonPath(arg);
  try {
    return { run: parseRunJson(readJsonText(file), file), dir: dirname(file), file };
  } catch (e) {
    if (e instanceof AcgsError) throw e;
    throw new AcgsError('RESULTS_ERROR', (e as Error).message, { hint: HINT, cause: e });
  }
}

/** A reference for compare: a baseline file, or a run (folder or run.json). */
export function readReference(arg: string): RunJson | Baseline {
  if (existsSync(arg) && statSync(arg).isFile()) {
    const text = readJsonText(arg);
    let data: unknown = null;
    try {
      data = JSON.parse(text);
    } catch {
      // parseRunJson below names the problem
    }
    if (isBaseline(data)) return readBaseline(arg);
  }
  return readRun(arg).run;
}

/** A baseline file written by `acgs-load baseline save`. */
export function readBaseline(file: string): Baseline {
  if (!existsSync(file))
    throw new AcgsError('RESULTS_ERROR', `baseline '${file}' does not exist`, {
      hint: 'make one from several runs: acgs-load baseline save results/RUN1 results/RUN2 results/RUN3 --out baseline.json',
    });
  try {
    return parseBaseline(readJsonText(file), file);
  } catch (e) {
    if (e instanceof AcgsError) throw e;
    throw new AcgsError('RESULTS_ERROR', (e as Error).message, {
      hint: 'pass a file written by `acgs-load baseline save`',
      cause: e,
    });
  }
}
