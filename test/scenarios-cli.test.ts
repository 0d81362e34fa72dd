/**
 * The scenario command's pure parts: configuration -> the scripts' __ENV,
 * `-e K=V` parsing, the ladder's per-step table from summary data, and the
 * command's answers to a wrong scenario name.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { parseEnvFlags, scenarioEnv } from '../run/scenario-env.ts';
import { formatLadderTable } from '../cli/ladder-table.ts';
import { ladderSteps } from '../report/index.ts';
import { ladderPlanFromEnv } from '../run/index.ts';
import { assertScenarioName } from '../run/scenario-run.ts';
import { readSettings } from '../scenarios/lib/settings.ts';
import { stepNames } from '../scenarios/lib/ladder-steps.ts';

describe('scenarioEnv', () => {
  it('maps the configuration to the variables the scripts read', () => {
    const config = configSchema.parse({
      seed: { seed: 7 },
      load: {
        thinkTimeMs: { min: 5, max: 50 },
        durationFactor: 0.5,
        ladder: { users: [2, 4], stepSeconds: 9 },
        queryMixRate: 3,
        vus: 11,
        durationSeconds: 99,
        stages: [{ durationSeconds: 5, target: 3 }],
      },
      targets: { avgQueryMs: 150 },
    });
    const env = scenarioEnv(config, { baseUrl: 'http://127.0.0.1:1', runId: 'r' });
    expect(env).toMatchObject({
      BASE_URL: 'http://127.0.0.1:1',
      RUN_ID: 'r',
      SEED: '7',
      THINK_MIN_MS: '5',
      THINK_MAX_MS: '50',
      DURATION_FACTOR: '0.5',
      LADDER_USERS: '2,4',
      LADDER_STEP_SECONDS: '9',
      QUERY_MIX_RATE: '3',
      VUS: '11',
      DURATION_SECONDS: '99',
    });
    // The scripts read back what the configuration says.
    const s = readSettings(env);
    expect(s.targets.avgQueryMs).toBe(150);
    expect(s.targets.queryTypes.join).toEqual(config.targets.queryTypes.join);
    expect(s.stages).toEqual([{ durationSeconds: 5, target: 3 }]);
    expect(s.ladderUsers).toEqual([2, 4]);
  });

  it('leaves optional overrides out', () => {
    const env = scenarioEnv(configSchema.parse({}), { baseUrl: 'http://x' });
    expect(env.VUS).toBeUndefined();
    expect(env.STAGES).toBeUndefined();
    expect(env.RUN_ID).toBeUndefined();
  });

  it('parses -e flags', () => {
    expect(parseEnvFlags(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(() => parseEnvFlags(['nope'])).toThrow("-e 'nope'");
    expect(() => parseEnvFlags(['=v'])).toThrow();
  });
});

describe('ladder table', () => {
  it('names steps as the script does', () => {
    const names = (users: number[]) => ladderPlanFromEnv(users, {}).steps.map((s) => s.name);
    const seconds = (step: number, factor: number) =>
      ladderPlanFromEnv([10], { LADDER_STEP_SECONDS: String(step), DURATION_FACTOR: String(factor) }).stepSeconds;
    expect(names([10, 25, 10])).toEqual(['users_10', 'users_25', 'users_10_2']);
    expect(stepNames([10, 25, 10])).toEqual(names([10, 25, 10]));
    expect(seconds(30, 0.1)).toBe(3);
    expect(seconds(5, 0.01)).toBe(1);
  });

  it('reads per-step sub-metrics and prints them', () => {
    const summary = {
      metrics: {
        'http_req_duration{scenario:users_10}': {
          type: 'trend' as const,
          values: { avg: 4.5, 'p(95)': 10, 'p(99)': 40 },
        },
        'http_req_failed{scenario:users_10}': { type: 'rate' as const, values: { rate: 0.01 } },
        'http_reqs{scenario:users_10}': { type: 'counter' as const, values: { count: 300, rate: 2 } },
        'cache_hit{scenario:users_10}': { type: 'rate' as const, values: { rate: 0.9 } },
      },
    };
    const steps = ladderSteps(summary, ladderPlanFromEnv([10, 25], { LADDER_STEP_SECONDS: '30' }));
    expect(steps[0]).toMatchObject({
      users: 10,
      successRate: 0.99,
      avgMs: 4.5,
      p95Ms: 10,
      p99Ms: 40,
      requests: 300,
      reqPerSec: 10,
      cacheHitRate: 0.9,
      dbAvgMs: null,
    });
    expect(steps[1]).toMatchObject({ users: 25, successRate: null, requests: null });
    const text = formatLadderTable(steps, 30);
    expect(text).toContain('99.00 %');
    expect(text.split('\n')).toHaveLength(4);
    expect(text.split('\n')[3]).toMatch(/^25\s+-/);
  });
});

describe('scenario names', () => {
  it('an unknown name is BAD_FLAG listing the scenarios', () => {
    expect(() => assertScenarioName('smokey')).toThrow(
      /'smokey' is not a scenario; choose one of cache-ops, ladder, query-mix, smoke, user-journey, write-contention/,
    );
    expect(() => assertScenarioName('ladder')).not.toThrow();
  });
});
