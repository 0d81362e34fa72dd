/**
 * A short fault run for the fault tests: the whole pipeline in this process
 * with throw-away PostgreSQL and Redis (nothing shared is stopped), a small
 * data set, a few VUs, results in a temporary folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { runPipeline } from '../../run/pipeline.ts';
import type { RunOutcome } from '../../run/write-results.ts';
import type { FaultResult } from '../../faults/index.ts';
import type { CheckerOutcome } from '../../report/figures/inputs.ts';
import type { RunJson } from '../../report/run-json.ts';

export interface FaultRun {
  outcome: RunOutcome;
  faults: FaultResult[];
  run: RunJson;
  log: string[];
  cleanup(): void;
}

/** Runs `scenario` for `seconds` with `faults` and returns what it wrote. */
export async function faultRun(o: {
  scenario: string;
  seconds: number;
  vus: number;
  faults: object[];
  pool?: object;
}): Promise<FaultRun> {
  const dir = mkdtempSync(join(tmpdir(), 'acgs-faults-'));
  const config = loadConfig({
    profile: 'chaos',
    env: {},
    flags: {
      seed: { scale: 0.1, seed: 7 },
      load: { scenarios: [o.scenario], vus: o.vus, durationSeconds: o.seconds, engine: 'embedded' },
      faults: o.faults,
      pool: o.pool,
      checks: { graceSeconds: 2 },
      results: { dir },
    },
  });
  const log: string[] = [];
  const outcome = await runPipeline({ config, log: (l) => log.push(l), quietEngine: true });
  const read = (f: string) => JSON.parse(readFileSync(join(outcome.resultsPath, f), 'utf8'));
  return {
    outcome,
    faults: read('faults.json'),
    run: read('run.json'),
    log,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A checker's result in run.json. */
export function checker(run: RunJson, name: string): CheckerOutcome {
  return (run.checks as { checkers: CheckerOutcome[] }).checkers.find((x) => x.name === name)!;
}

/** A checker's violations of some kinds (all kinds when none given). */
export function violations(run: RunJson, name: string, kinds?: string[]): number {
  const c = checker(run, name);
  return Object.entries(c.violations)
    .filter(([k]) => !kinds || kinds.includes(k))
    .reduce((a, [, n]) => a + n, 0);
}
