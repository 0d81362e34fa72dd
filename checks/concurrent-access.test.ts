/**
 * concurrent-access: acknowledged writes missing from the database, versions
 * moving backwards, and writes never acknowledged (reported apart, not as
 * violations); plus reading acknowledged writes from k6 NDJSON output.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, REDIS_URL, testPrefix, type TestDatabase } from '../test/helpers/services.ts';
import {
  openFixtureDatabase,
  closeFixtureDatabase,
  applySchema,
  resetRows,
  testOptions,
  violationsOf,
} from '../test/helpers/checks-fixture.ts';
import { readAcknowledgedWrites, runChecks, type AckedWrite } from './index.ts';
import { isAcgsError } from '../config/index.ts';

let tdb: TestDatabase;
let db: pg.Pool;
const prefix = testPrefix('checks_conc');
const run = (over = {}) => runChecks(testOptions(tdb.url, REDIS_URL, prefix, over));

/** Every write of run-1 in the fixture. */
const ALL_ACKED: AckedWrite[] = [
  { kind: 'session', clientRequestId: 'req-s1' },
  { kind: 'policy_update', clientRequestId: 'req-u1' },
  { kind: 'vote', clientRequestId: 'req-v1' },
  { kind: 'vote', clientRequestId: 'req-v2' },
  { kind: 'decision', clientRequestId: 'req-d1' },
  { kind: 'compliance_check', clientRequestId: 'req-c1' },
  { kind: 'synthesis', clientRequestId: 'req-y1' },
];

beforeAll(async () => {
  ({ tdb, db } = await openFixtureDatabase('checks_conc'));
});
afterAll(async () => {
  await closeFixtureDatabase({ tdb, db });
});
beforeEach(() => resetRows(db));

const conc = (r: Awaited<ReturnType<typeof run>>) => r.checkers.find((c) => c.name === 'concurrent-access')!;

describe('concurrent-access', () => {
  it('every acknowledged write is there: no violation, nothing unacknowledged', async () => {
    const r = await run({ runId: 'run-1', acknowledged: ALL_ACKED });
    expect(violationsOf(r)).toEqual({});
    expect(conc(r).extra!.unacknowledged).toEqual({});
    expect(conc(r).checked).toBe(ALL_ACKED.length + 1); // + the one policy update checked for order
  });

  it('an acknowledged write missing from the database', async () => {
    await db.query(
      "DELETE FROM amendment_votes WHERE client_request_id = 'req-v2'; UPDATE amendments SET votes_for = 1 WHERE id = 1",
    );
    const r = await run({
      runId: 'run-1',
      acknowledged: [...ALL_ACKED, { kind: 'decision', clientRequestId: 'req-d9' }],
    });
    expect(violationsOf(r)).toEqual({ 'concurrent-access': { acked_write_missing: 2 } });
    expect(conc(r).examples.acked_write_missing).toEqual([
      expect.objectContaining({ kind: 'vote', table: 'amendment_votes', clientRequestId: 'req-v2' }),
      expect.objectContaining({ kind: 'decision', clientRequestId: 'req-d9' }),
    ]);
  });

  it('a write stored under another run id does not count for this run', async () => {
    await db.query("UPDATE policy_decisions SET run_id = 'run-0' WHERE client_request_id = 'req-d1'");
    const r = await run({ runId: 'run-1', acknowledged: ALL_ACKED });
    expect(violationsOf(r)).toEqual({ 'concurrent-access': { acked_write_missing: 1 } });
  });

  it('writes never acknowledged are reported apart, not as violations', async () => {
    const r = await run({
      runId: 'run-1',
      acknowledged: ALL_ACKED.filter((a) => a.clientRequestId !== 'req-v2' && a.clientRequestId !== 'req-c1'),
    });
    expect(violationsOf(r)).toEqual({});
    expect(r.ok).toBe(true);
    expect(conc(r).extra!.unacknowledged).toEqual({
      vote: { count: 1, examples: ['req-v2'] },
      compliance_check: { count: 1, examples: ['req-c1'] },
    });
    expect(conc(r).notes.join()).toMatch(/2 writes with run id 'run-1' were never acknowledged/);
  });

  it('a version that moved backwards (updates written in time order with falling to_version)', async () => {
    await db.query(`
      UPDATE policies SET version = 3 WHERE id = 1;
      INSERT INTO policy_updates (id, policy_id, updated_by, from_version, to_version, changes, created_at) VALUES (2, 1, 2, 2, 3, '{}', '2026-01-02 09:00:00+00');`);
    const r = await run();
    expect(violationsOf(r)).toEqual({ 'concurrent-access': { version_regression: 1 } });
    expect(conc(r).examples.version_regression).toEqual([
      expect.objectContaining({ policy_id: '1', to_version: 2, prev_to_version: 3 }),
    ]);
  });

  it('an unknown acknowledged kind is noted, not matched', async () => {
    const r = await run({ runId: 'run-1', acknowledged: [...ALL_ACKED, { kind: 'bogus', clientRequestId: 'x' }] });
    expect(violationsOf(r)).toEqual({});
    expect(conc(r).notes.join()).toMatch(/unknown kind 'bogus'/);
  });

  it('without a run id, matches on client_request_id alone', async () => {
    const r = await run({
      acknowledged: [
        { kind: 'vote', clientRequestId: 'req-v1' },
        { kind: 'vote', clientRequestId: 'nope' },
      ],
    });
    expect(violationsOf(r)).toEqual({ 'concurrent-access': { acked_write_missing: 1 } });
  });
});

describe("concurrent-access checks the run's writes only", () => {
  /**
   * Two policy updates the seed wrote (no run id), the second one's version going backwards
   * (transaction-isolation sees the broken chain too: these tests read concurrent-access alone).
   */
  const SEED_UPDATES = `
    UPDATE policies SET version = 3 WHERE id = 2;
    INSERT INTO policy_updates (id, policy_id, updated_by, from_version, to_version, changes, created_at) VALUES
      (10, 2, 1, 1, 3, '{}', '2026-01-02 08:00:00+00'),
      (11, 2, 1, 2, 2, '{}', '2026-01-02 08:30:00+00');`;

  it('broken on purpose: rows the seed wrote are neither counted nor judged', async () => {
    await db.query(SEED_UPDATES);
    const r = await run({ runId: 'run-1', acknowledged: ALL_ACKED });
    // The seed's backwards update is not this run's: no violation, and not counted as checked.
    expect(conc(r).violations).toEqual({});
    expect(conc(r).checked).toBe(ALL_ACKED.length + 1); // the run's one policy update, not the seed's two
    expect(conc(r).extra!.checkedWrites).toEqual({ acknowledged: ALL_ACKED.length, versionOrder: 1 });
    expect(conc(r).notes.join('\n')).toMatch(
      /checked: 7 acknowledged write\(s\) looked up and the version order of 1 policy update\(s\) with run id 'run-1'/,
    );
  });

  it("broken on purpose: the run's own update that went backwards (behind a seed update) is a violation", async () => {
    await db.query(SEED_UPDATES);
    await db.query(
      "INSERT INTO policy_updates (id, policy_id, updated_by, from_version, to_version, changes, created_at, run_id, client_request_id) VALUES (12, 2, 2, 1, 2, '{}', '2026-01-03 09:00:00+00', 'run-1', 'req-u2')",
    );
    const r = await run({
      runId: 'run-1',
      acknowledged: [...ALL_ACKED, { kind: 'policy_update', clientRequestId: 'req-u2' }],
    });
    expect(conc(r).violations).toEqual({ version_regression: 1 });
    expect(conc(r).examples.version_regression).toEqual([
      expect.objectContaining({ id: '12', to_version: 2, prev_to_version: 2, run_id: 'run-1' }),
    ]);
  });

  it('broken on purpose: a run that wrote nothing checked nothing: NO DATA naming the run, not a pass', async () => {
    const r = await run({ runId: 'run-9', acknowledged: [] });
    expect(conc(r).violations).toEqual({});
    expect(conc(r).checked).toBe(0);
    expect(conc(r).score).toBeNull();
    expect(conc(r).noData).toMatch(/no write of run 'run-9' to check/);
  });

  it("without a run id, the acknowledged policy updates are the run's; other acknowledged kinds only: none checked for order", async () => {
    await db.query(SEED_UPDATES);
    const byAck = await run({ acknowledged: [{ kind: 'policy_update', clientRequestId: 'req-u1' }] });
    expect(conc(byAck).extra!.checkedWrites).toEqual({ acknowledged: 1, versionOrder: 1 });
    expect(conc(byAck).violations).toEqual({});
    const votesOnly = await run({ acknowledged: [{ kind: 'vote', clientRequestId: 'req-v1' }] });
    expect(conc(votesOnly).extra!.checkedWrites).toEqual({ acknowledged: 1, versionOrder: 0 });
  });

  it('no run given at all (acgs-load check on a database): every update is checked, and the notes say so', async () => {
    await db.query(SEED_UPDATES);
    const r = await run();
    expect(conc(r).violations).toEqual({ version_regression: 1 });
    expect(conc(r).extra!.checkedWrites).toEqual({ acknowledged: 0, versionOrder: 3 });
    expect(conc(r).notes.join('\n')).toMatch(/the version order of every policy update checked, the seed's included/);
  });
});

describe('readAcknowledgedWrites (k6 JSON output)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'acgs-acks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes Point lines of acked_writes with kind + client_request_id, once each', async () => {
    const point = (metric: string, value: number, tags: Record<string, string>) =>
      JSON.stringify({ type: 'Point', metric, data: { time: '2026-01-01T10:00:00.000000001Z', value, tags } });
    const file = join(dir, 'k6.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({
          type: 'Metric',
          metric: 'acked_writes',
          data: { name: 'acked_writes', type: 'counter', contains: 'default', thresholds: [], submetrics: null },
        }),
        point('http_req_duration', 12.5, { method: 'POST', status: '201' }),
        point('acked_writes', 1, { kind: 'vote', client_request_id: 'a', run_id: 'r1', scenario: 'write-contention' }),
        point('acked_writes', 1, { kind: 'decision', client_request_id: 'b', run_id: 'r1' }),
        point('acked_writes', 1, { kind: 'vote', client_request_id: 'a', run_id: 'r1' }),
        point('acked_writes', 0, { kind: 'vote', client_request_id: 'zero', run_id: 'r1' }),
        point('acked_writes', 1, { kind: 'vote' }),
        '',
      ].join('\n'),
    );
    expect(await readAcknowledgedWrites(file)).toEqual({
      runId: 'r1',
      acknowledged: [
        { kind: 'vote', clientRequestId: 'a' },
        { kind: 'decision', clientRequestId: 'b' },
      ],
    });
  });

  it('a missing file or a broken line is a BAD_FLAG error naming the file', async () => {
    const missing = join(dir, 'nope.ndjson');
    await expect(readAcknowledgedWrites(missing)).rejects.toSatisfy(
      (e) => isAcgsError(e) && e.kind === 'BAD_FLAG' && e.message.includes(missing),
    );
    const broken = join(dir, 'broken.ndjson');
    writeFileSync(broken, '{"type":"Point","metric":"acked_writes",\n');
    await expect(readAcknowledgedWrites(broken)).rejects.toSatisfy(
      (e) => isAcgsError(e) && /line 1 is not JSON/.test(e.message),
    );
  });
});
