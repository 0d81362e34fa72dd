/**
 * Which files of a folder belong to which scenario, for merging the outputs
 * of several k6 instances of one run. Two layouts are understood:
 *
 * - an acgs-load results folder: run.json lists each scenario's files;
 * - a plain k6 output folder (one k6-operator pod's volume, see
 *   deploy/k6-operator/README.md), or its `k6/` subfolder:
 *   `<scenario>.metrics.ndjson` (or `.ndjson`, either optionally `.gz`) from
 *   `--out json=`, and optionally `<scenario>.summary-export.json`
 *   (`--summary-export`) and `<scenario>.summary.json` (handleSummary's data
 *   object) - the names the run pipeline uses in results/<run-id>/k6/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AcgsError } from '../../config/index.ts';
import { parseRunJson } from '../run-json.ts';

/** One scenario's outputs in one instance folder (absolute paths). */
export interface InstanceScenarioFiles {
  name: string;
  metrics: string | null;
  summaryData: string | null;
  summaryExport: string | null;
}

const METRICS_RE = /^(.+?)(\.metrics)?\.ndjson(\.gz)?$/;

/** Lists the scenarios of an instance folder with their files; throws RESULTS_ERROR when the folder has none. */
export function instanceFiles(dir: string): InstanceScenarioFiles[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AcgsError('RESULTS_ERROR', `'${dir}' is not a folder`, {
      hint: "pass a results folder (results/<run-id>) or a folder with one k6 instance's outputs (<scenario>.metrics.ndjson, <scenario>.summary-export.json)",
    });
  }
  const abs = (f: string | undefined) => (f && existsSync(join(dir, f)) ? join(dir, f) : null);
  const runFile = join(dir, 'run.json');
  if (existsSync(runFile)) {
    // Prefer the single-instance record a previous merge kept aside (merging is then repeatable).
    const base = existsSync(join(dir, 'run.instance.json')) ? join(dir, 'run.instance.json') : runFile;
    const run = parseRunJson(readFileSync(base, 'utf8'), base);
    return run.scenarios.map((s) => ({
      name: s.name,
      metrics: abs(s.files?.metrics),
      summaryData: abs(s.files?.summaryData),
      summaryExport: abs(s.files?.summaryExport),
    }));
  }
  const out: InstanceScenarioFiles[] = [];
  const sub = join(dir, 'k6');
  const where = existsSync(sub) && statSync(sub).isDirectory() ? sub : dir;
  const at = (f: string) => (existsSync(join(where, f)) ? join(where, f) : null);
  for (const f of readdirSync(where).sort()) {
    const m = METRICS_RE.exec(f);
    if (!m) continue;
    const name = m[1];
    out.push({
      name,
      metrics: join(where, f),
      summaryData: at(`${name}.summary.json`),
      summaryExport: at(`${name}.summary-export.json`),
    });
  }
  if (out.length === 0) {
    throw new AcgsError(
      'RESULTS_ERROR',
      `'${dir}' has neither a run.json nor any k6 metric stream (<scenario>.metrics.ndjson)`,
      {
        hint: 'run k6 with --out json=<dir>/<scenario>.ndjson --summary-export=<dir>/<scenario>.summary-export.json in each instance',
      },
    );
  }
  return out;
}
