#!/usr/bin/env node
/**
 * Whether a night's run completed, so that deploy/ci/nightly.yml keeps it for
 * the baseline (whatever its verdict: a night that missed a target still
 * measured every figure): `node deploy/ci/night-complete.mjs RUN_DIR`.
 *
 * Complete means: run.json parses and is an acgs-load run; the run was not
 * aborted (exit 8, verdict ABORTED: it holds part of a run); every scenario
 * the run was configured with (config.load.scenarios) ran, i.e. it has an
 * entry whose k6 exit code is 0 or 99 (thresholds crossed still measured;
 * anything else means the load itself was not trustworthy, README "Exit
 * codes" 5); and each has its metric stream and summary export, non-empty, in
 * the results folder. Prints one line per reason it is not complete; exits 0
 * when complete, 1 when not, 2 on bad usage.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The reasons a results folder is not a complete night; empty when it is. */
export function incompleteReasons(dir) {
  const file = join(dir, 'run.json');
  if (!existsSync(file)) return [`${file} does not exist: the run wrote no results`];
  let run;
  try {
    run = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return [`${file} does not parse: ${e.message}`];
  }
  if (run?.schema !== 'acgs-load/run@1') return [`${file} is not an acgs-load run.json (schema ${run?.schema})`];
  const reasons = [];
  if (run.exitCode === 8 || /^ABORTED/.test(run.verdict ?? '')) reasons.push(`aborted: ${run.verdict}`);
  const planned = run.config?.load?.scenarios;
  if (!Array.isArray(planned) || planned.length === 0) reasons.push('run.json names no configured scenario');
  const ran = new Map((run.scenarios ?? []).map((s) => [s.name, s]));
  for (const name of planned ?? []) {
    const s = ran.get(name);
    if (!s) {
      reasons.push(`scenario ${name} did not run`);
      continue;
    }
    if (s.exitCode !== 0 && s.exitCode !== 99) reasons.push(`scenario ${name} ended with k6 exit code ${s.exitCode}`);
    for (const what of ['metrics', 'summaryExport']) {
      const rel = s.files?.[what];
      const path = rel ? join(dir, rel) : null;
      if (!path || !existsSync(path) || statSync(path).size === 0)
        reasons.push(
          `scenario ${name} has no ${what === 'metrics' ? 'metric stream' : 'summary export'}${rel ? ` (${rel})` : ''}`,
        );
    }
  }
  return reasons;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node deploy/ci/night-complete.mjs RUN_DIR\n');
    process.exit(2);
  }
  const reasons = incompleteReasons(dir);
  for (const r of reasons) process.stdout.write(`${r}\n`);
  process.exit(reasons.length ? 1 : 0);
}
