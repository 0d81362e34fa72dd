/**
 * RunInputs as the pipeline hands them to the figure builders, with nothing
 * measured server-side: the smoke profile's configuration, fixed
 * infrastructure figures, no checks and no plans unless given.
 */
import { loadConfig } from '../../config/index.ts';
import type { RunInputs } from '../../report/index.ts';
import { ladderPlan } from '../../run/index.ts';

export function fixtureInputs(over: Partial<RunInputs> = {}): RunInputs {
  const config = over.config ?? loadConfig({ profile: 'smoke', env: {} });
  return {
    config,
    scenarios: [],
    pg: null,
    redis: null,
    target: null,
    infra: {
      pgVersion: '16',
      redisVersion: '7',
      pgRttMs: 0.2,
      redisRttMs: 0.1,
      targetHealthMs: 1,
      targetUrl: 'http://127.0.0.1:1',
    },
    checks: null,
    plans: [],
    ladder: ladderPlan(config),
    ...over,
  };
}
