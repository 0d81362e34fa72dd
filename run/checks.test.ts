/**
 * The checks stage against the real PostgreSQL, and how its result judges a
 * run: no data is never a pass. A metrics stream of a scenario that ran but
 * is missing leaves the acknowledged writes unknown, so "acknowledged writes
 * lost" is NO DATA naming the file, not a 0 that passes; checkers that
 * checked nothing are NO DATA too. Either fails the run with exit 4.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../config/index.ts';
import { consistencyFigures } from '../report/figures/overview.ts';
import { faultFigures } from '../report/figures/faults.ts';
import { verdict, type Figure } from '../report/figure.ts';
import type { RunInputs } from '../report/figures/index.ts';
import { pointLine } from '../report/ndjson/k6-records.ts';
import { closeFixtureDatabase, openFixtureDatabase, resetRows } from '../test/helpers/checks-fixture.ts';
import { fixtureFaultResult } from '../test/helpers/ndjson-fixtures.ts';
import { REDIS_URL, type TestDatabase } from '../test/helpers/services.ts';
import { runConsistencyChecks } from './checks.ts';
import { runExitCode } from './write-results.ts';

let tdb: TestDatabase;
let db: pg.Pool;
let dir: string;
let present: string;
let missing: string;

const config = loadConfig({
  profile: 'smoke',
  env: {},
  flags: { checks: { only: ['referential-integrity', 'transaction-isolation', 'concurrent-access'], graceSeconds: 0 } },
});

beforeAll(async () => {
  ({ tdb, db } = await openFixtureDatabase('run_checks'));
  dir = mkdtempSync(join(tmpdir(), 'acgs-run-checks-'));
  // The fixture's write of run-1, acknowledged in one scenario's stream (k6 --out json).
  present = join(dir, 'k6', 'write_contention.metrics.ndjson');
  missing = join(dir, 'k6', 'smoke.metrics.ndjson');
  mkdirSync(join(dir, 'k6'), { recursive: true });
  writeFileSync(
    present,
    pointLine('acked_writes', Date.now(), 1, {
      kind: 'policy_update',
      client_request_id: 'req-u1',
      run_id: 'run-1',
    }) + '\n',
  );
});
afterAll(async () => {
  await closeFixtureDatabase({ tdb, db });
  rmSync(dir, { recursive: true, force: true });
});

const check = (metricsFiles: string[]) =>
  runConsistencyChecks({ config, databaseUrl: tdb.url, redisUrl: REDIS_URL, runId: 'run-1', metricsFiles });

/**
 * The consistency figures and the "acknowledged writes lost" of one injected
 * fault, as the results stage builds them (the fault's other judged figures
 * need checkers this file does not run).
 */
function judged(checks: Awaited<ReturnType<typeof check>>): Map<string, Figure> {
  const inputs = { config, checks } as unknown as RunInputs;
  const fault = fixtureFaultResult({ kind: 'redis-stop', atSeconds: 1, durationSeconds: 1 }, Date.now());
  const figures = [
    ...consistencyFigures(inputs).figures,
    ...faultFigures([fault], checks.checkers).figures.filter((f) => f.id === 'fault.1.redis-stop.lost'),
  ];
  return new Map(figures.map((f) => [f.id, f]));
}

describe('acknowledged writes from the metrics streams', () => {
  beforeEach(() => resetRows(db));

  it('every stream there: "no acknowledged write lost" is measured and passes', async () => {
    const r = await check([present]);
    const conc = r.checkers.find((c) => c.name === 'concurrent-access')!;
    expect(conc.noData).toBeUndefined();
    expect(conc.score).toBe(1);
    expect(conc.extra?.acknowledged).toBe(1);
    const f = judged(r);
    expect(verdict(f.get('consistency.concurrent-access.violations')!)).toBe('PASS');
    expect(f.get('fault.1.redis-stop.lost')).toMatchObject({ value: 0, pass: true });
    const figures = [...f.values()];
    expect(runExitCode({ scenarios: [], checks: r, figures })).toEqual({ exitCode: 0, reasons: [] });
  });

  it('broken on purpose: a stream missing makes "acknowledged writes lost" NO DATA naming the file, exit 4', async () => {
    const r = await check([present, missing]);
    const conc = r.checkers.find((c) => c.name === 'concurrent-access')!;
    expect(conc.noData).toBe(`acknowledged writes unknown: metrics stream ${missing} missing`);
    expect(conc.score).toBeNull();
    expect(conc.violations).toEqual({}); // not a violation: nothing is known to be lost
    expect(r.ok).toBe(true);

    const f = judged(r);
    const violations = f.get('consistency.concurrent-access.violations')!;
    expect(violations.value).toBeNull();
    expect(verdict(violations)).toBe('NO DATA');
    expect(violations.note).toContain(missing);
    const lost = f.get('fault.1.redis-stop.lost')!;
    expect(lost.value).toBeNull();
    expect(verdict(lost)).toBe('NO DATA');

    const { exitCode, reasons } = runExitCode({ scenarios: [], checks: r, figures: [...f.values()] });
    expect(exitCode).toBe(4);
    expect(reasons).toContain(
      `target missed: concurrent-access violations not measured (acknowledged writes unknown: metrics stream ${missing} missing)`,
    );
    expect(
      reasons.some((x) => x.startsWith('target missed: redis-stop@1s:1s: acknowledged writes lost not measured')),
    ).toBe(true);
  });

  it('a write lost is still a violation (exit 3) when another stream is missing', async () => {
    await db.query("DELETE FROM policy_updates WHERE client_request_id = 'req-u1'");
    const r = await check([present, missing]);
    expect(r.ok).toBe(false);
    const f = judged(r);
    expect(f.get('fault.1.redis-stop.lost')).toMatchObject({ value: 1, pass: false });
    expect(runExitCode({ scenarios: [], checks: r, figures: [...f.values()] }).exitCode).toBe(3);
  });
});

describe('checkers that checked nothing', () => {
  it('broken on purpose: an empty database is NO DATA for every checker, not 100 % and PASS; exit 4', async () => {
    const { rows } = await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    await db.query(`TRUNCATE ${rows.map((t) => `"${t.tablename}"`).join(', ')} CASCADE`);
    const r = await check([]);
    const ri = r.checkers.find((c) => c.name === 'referential-integrity')!;
    expect(ri).toMatchObject({ checked: 0, score: null, noData: '0 items checked' });
    expect(r.checkers.find((c) => c.name === 'transaction-isolation')).toMatchObject({ checked: 0, score: null });
    expect(r.checkers.find((c) => c.name === 'concurrent-access')).toMatchObject({ checked: 0, score: null });
    expect(r.ok).toBe(true); // no violation found: the verdict is NO DATA, not consistent
    const f = judged(r);
    for (const name of ['referential-integrity', 'transaction-isolation', 'concurrent-access']) {
      expect(f.get(`consistency.${name}.score`)!.value).toBeNull();
      expect(verdict(f.get(`consistency.${name}.violations`)!)).toBe('NO DATA');
    }
    const { exitCode, reasons } = runExitCode({ scenarios: [], checks: r, figures: [...f.values()] });
    expect(exitCode).toBe(4);
    expect(reasons).toContain('target missed: referential-integrity violations not measured (0 items checked)');
    expect(f.get('fault.1.redis-stop.lost')).toMatchObject({
      value: null,
      pass: null,
      note: "0 items checked; no write of run 'run-1' to check: none acknowledged and no policy update with run id 'run-1'",
    });
  });
});
