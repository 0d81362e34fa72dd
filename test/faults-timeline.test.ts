/**
 * The pure parts of fault runs: the `--fault` grammar, the refusal planner,
 * the timeline analysis (success before/during/after, time to recover, errors
 * by kind) and the fault section's verdicts, each also broken on purpose (no
 * recovery, a lost write) to see the verdict fail.
 */
import { describe, expect, it } from 'vitest';
import { AcgsError, ExitCode, loadConfig } from '../config/index.ts';
import { readFileSync } from 'node:fs';
import {
  analyseFaults,
  errorKind,
  faultLabel,
  FaultSchedule,
  parseFaultFlag,
  planFaults,
  serverOptions,
  STABLE_SECONDS,
  type RequestPoint,
  type ServerControl,
  type FaultOutcome,
} from '../faults/index.ts';
import { faultFigures, verdict } from '../report/index.ts';
import { runExitCode } from '../run/write-results.ts';
import type { CheckerName } from '../checks/index.ts';

describe('--fault KIND@TIME[:DURATION]', () => {
  it.each([
    ['redis-stop@10s:5s', { kind: 'redis-stop', atSeconds: 10, durationSeconds: 5 }],
    ['postgres-restart@30:3', { kind: 'postgres-restart', atSeconds: 30, durationSeconds: 3 }],
    ['pool-exhaust@1m:8s', { kind: 'pool-exhaust', atSeconds: 60, durationSeconds: 8 }],
    ['redis-slow@500ms:2.5s', { kind: 'redis-slow', atSeconds: 0.5, durationSeconds: 2.5 }],
    ['redis-slow@0', { kind: 'redis-slow', atSeconds: 0, durationSeconds: 5 }],
  ])('%s', (text, spec) => {
    expect(parseFaultFlag(text)).toEqual(spec);
    expect(parseFaultFlag(faultLabel(spec as never))).toEqual(spec);
  });

  it.each([
    ['redis-stop', 'missing "@TIME"'],
    ['redis-crash@10s', "'redis-crash' is not a fault kind"],
    ['redis-stop@soon', "time 'soon' is not a duration"],
    ['redis-stop@10s:', "duration '' is not a duration"],
    ['redis-stop@10s:-5s', "duration '-5s' is not a duration"],
    ['redis-stop@10s:0s', 'longer than 0'],
    ['redis-stop@10s:2h', 'longer than the 3600 s allowed'],
    ['redis-stop@10x:5s', "time '10x'"],
  ])('%s is refused: %s', (text, why) => {
    try {
      parseFaultFlag(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AcgsError);
      expect((e as AcgsError).kind).toBe('BAD_FLAG');
      expect((e as AcgsError).exitCode).toBe(ExitCode.BAD_INPUT);
      expect((e as AcgsError).message).toContain(why);
      expect((e as AcgsError).hint).toContain('--fault redis-stop@10s:5s');
    }
  });
});

describe('planFaults: only servers the run owns or has commands for', () => {
  const control: ServerControl = { method: 'test', stop: async () => {}, start: async () => {} };
  const cfg = (faults: object[], extra: object = {}) =>
    loadConfig({ profile: 'smoke', env: {}, flags: { faults, ...extra } });
  const local = { postgres: 'local', redis: 'local' };

  it('refuses a server stop without a control, naming the fix (exit 6)', () => {
    for (const kind of ['redis-stop', 'postgres-restart', 'redis-slow']) {
      const err = (() => {
        try {
          planFaults(cfg([{ kind, atSeconds: 1 }]), { postgres: null, redis: null }, local);
        } catch (e) {
          return e as AcgsError;
        }
      })();
      expect(err?.kind).toBe('FAULT_REFUSED');
      expect(err?.exitCode).toBe(ExitCode.REFUSED);
      expect(err?.message).toMatch(/refused: the (Redis|PostgreSQL) server is a local server the suite did not start/);
      expect(err?.hint).toMatch(/--profile chaos.*stopCommand and startCommand/);
    }
  });

  it('accepts them with a control; pool-exhaust needs none but refuses a --base-url', () => {
    const p = planFaults(
      cfg([
        { kind: 'redis-stop', atSeconds: 10 },
        { kind: 'pool-exhaust', atSeconds: 1 },
      ]),
      { postgres: null, redis: control },
      local,
    );
    expect(p.map((f) => f.label)).toEqual(['pool-exhaust@1s:5s', 'redis-stop@10s:5s']);
    expect(() =>
      planFaults(
        cfg([{ kind: 'pool-exhaust', atSeconds: 1 }], { api: { baseUrl: 'http://127.0.0.1:9' } }),
        { postgres: null, redis: null },
        local,
      ),
    ).toThrow(/pool-exhaust needs the target this run starts/);
  });

  it('refuses overlapping faults', () => {
    expect(() =>
      planFaults(
        cfg([
          { kind: 'redis-stop', atSeconds: 1, durationSeconds: 5 },
          { kind: 'postgres-restart', atSeconds: 4 },
        ]),
        { postgres: control, redis: control },
        local,
      ),
    ).toThrow(/overlap in time/);
  });
});

describe('server options from postmaster.opts', () => {
  it('keeps every option but the data folder, quoted', () => {
    const opts =
      '/usr/lib/postgresql/15/bin/postgres "-D" "/tmp/acgs-pg-x" "-p" "33305" "-k" "/tmp/acgs-pg-x" "-c" "listen_addresses=127.0.0.1"\n';
    expect(serverOptions(opts)).toBe('"-p" "33305" "-k" "/tmp/acgs-pg-x" "-c" "listen_addresses=127.0.0.1"');
  });
});

/** Synthetic request stream: `rate(t)` = success probability of second t, 20 requests a second. */
function stream(t0: number, seconds: number, ok: (s: number) => boolean, status = '503'): RequestPoint[] {
  const out: RequestPoint[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < 20; i++) {
      const good = ok(s);
      out.push({ time: t0 + s * 1000 + i * 50, failed: !good, status: good ? '200' : status });
    }
  }
  return out;
}

function outcome(kind: FaultOutcome['kind'], startedAt: number, endedAt: number): FaultOutcome {
  return {
    kind,
    label: `${kind}@x`,
    atSeconds: 0,
    durationSeconds: 0,
    injected: true,
    startedAt,
    endedAt,
    method: 'test',
    notes: [],
    error: null,
    pool: null,
  };
}

describe('timeline analysis', () => {
  const T0 = 1_000_000;
  const opts = { loadStart: T0, loadEnd: T0 + 30_000, successTarget: 0.95, stableSeconds: 3 };

  it('measures before, during, after and the time to recover', () => {
    // fails from second 10 to 15 (the fault), and still in seconds 15-16 (recovering)
    const points = stream(T0, 30, (s) => s < 10 || s >= 17);
    const [r] = analyseFaults(points, [outcome('postgres-restart', T0 + 10_000, T0 + 15_000)], opts);
    expect(r.windows!.before).toMatchObject({ requests: 200, failed: 0, successRate: 1 });
    expect(r.windows!.during).toMatchObject({ requests: 100, failed: 100, successRate: 0 });
    expect(r.windows!.after.requests).toBe(300);
    expect(r.windows!.after.failed).toBe(40);
    expect(r.recovery).toMatchObject({ seconds: 2, recovered: true });
    expect(r.errorsByKind).toEqual({ 'HTTP 503': 140 });
  });

  it('broken on purpose: a load that never recovers is reported as not recovered', () => {
    const points = stream(T0, 30, (s) => s < 10);
    const [r] = analyseFaults(points, [outcome('redis-stop', T0 + 10_000, T0 + 15_000)], opts);
    expect(r.recovery.recovered).toBe(false);
    expect(r.recovery.note).toMatch(/did not stay/);
    const f = faultFigures([r], []).figures.find((x) => x.id === 'fault.1.redis-stop.recovered')!;
    expect(f.pass).toBe(false);
  });

  it('a second without any completed request is not a success (hanging requests)', () => {
    const points = stream(T0, 30, () => true).filter((p) => p.time < T0 + 15_000 || p.time >= T0 + 20_000);
    const [r] = analyseFaults(points, [outcome('pool-exhaust', T0 + 10_000, T0 + 15_000)], opts);
    expect(r.recovery.seconds).toBe(5);
  });

  it('too little load after the fault: recovery cannot be judged, and that is no pass', () => {
    const points = stream(T0, 30, () => true);
    const [r] = analyseFaults(points, [outcome('redis-slow', T0 + 20_000, T0 + 28_500)], opts);
    expect(r.recovery.recovered).toBeNull();
    expect(faultFigures([r], []).figures.find((x) => x.id.endsWith('.recovered'))!.pass).toBeNull();
  });

  it('names errors without a response by k6 error code', () => {
    expect(errorKind({ time: 0, failed: true, status: '0', errorCode: '1212' })).toBe(
      'no response (k6 1212 TCP_DIAL_REFUSED)',
    );
    expect(errorKind({ time: 0, failed: true, status: '503', errorCode: '1503' })).toBe('HTTP 503');
  });

  it('splits windows at neighbouring faults', () => {
    const points = stream(T0, 30, () => true);
    const [a, b] = analyseFaults(
      points,
      [outcome('redis-stop', T0 + 5_000, T0 + 8_000), outcome('redis-slow', T0 + 15_000, T0 + 18_000)],
      opts,
    );
    expect(a.windows!.after.to).toBe(T0 + 15_000);
    expect(b.windows!.before.from).toBe(T0 + 8_000);
    expect(b.windows!.after.to).toBe(T0 + 30_000);
  });
});

describe('fault section verdicts', () => {
  const base = {
    ...outcome('redis-stop', 1, 2),
    windows: null,
    errorsByKind: {},
    recovery: { seconds: 0, recovered: true, target: 0.99, stableSeconds: 3, note: null },
  };
  const checker = (name: CheckerName, violations: Record<string, number>) => ({
    name,
    checked: 10,
    violations,
    score: 1,
    examples: {},
    durationMs: 1,
    notes: [],
  });

  it('broken on purpose: a lost acknowledged write and a stale entry fail the fault', () => {
    const { figures, tables } = faultFigures(
      [base],
      [
        checker('concurrent-access', { acked_write_missing: 2, version_regression: 0 }),
        checker('cache-db-sync', { stale: 1 }),
      ],
    );
    expect(figures.find((f) => f.id.endsWith('.lost'))).toMatchObject({ value: 2, pass: false });
    expect(figures.find((f) => f.id.endsWith('.stale'))).toMatchObject({ value: 1, pass: false });
    expect(tables[0].title).toBe('Fault 1: redis-stop@x');
  });

  it('nothing lost passes; a fault not injected is shown but not judged', () => {
    const { figures } = faultFigures(
      [base, { ...base, injected: false }],
      [checker('concurrent-access', { acked_write_missing: 0 }), checker('cache-db-sync', {})],
    );
    expect(figures.find((f) => f.id === 'fault.1.redis-stop.lost')).toMatchObject({ value: 0, pass: true });
    expect(figures.find((f) => f.id === 'fault.2.redis-stop.lost')!.target).toBeUndefined();
  });
});

describe('a planned fault that never happened is a judged item', () => {
  const T0 = 2_000_000;
  const opts = { loadStart: T0, loadEnd: T0 + 30_000, successTarget: 0.95, stableSeconds: STABLE_SECONDS };
  const injected = (r: ReturnType<typeof faultFigures>) => r.figures.filter((f) => f.id.endsWith('.injected'));

  it('broken on purpose: a fault planned after the load ended fails the run, naming the fault and why (exit 4)', async () => {
    // The real schedule: the load "ends" (finish) before the fault's time comes.
    const config = loadConfig({ profile: 'smoke', env: {} });
    const schedule = new FaultSchedule(
      [{ kind: 'redis-slow', atSeconds: 58, durationSeconds: 5, label: 'redis-slow@58s:5s', control: null }],
      { config, targetUrl: 'http://127.0.0.1:1', databaseUrl: '', redisUrl: '', runId: 'r', log: () => {} },
    );
    schedule.start();
    const outcomes = await schedule.finish();
    expect(outcomes[0]).toMatchObject({ injected: false, notes: ['the load ended before 58 s'] });
    const results = analyseFaults(
      stream(T0, 30, () => true),
      outcomes,
      opts,
    );
    const [f] = injected(faultFigures(results, []));
    expect(f).toMatchObject({ value: 0, pass: false, target: { op: '==', value: 1 } });
    expect(verdict(f)).toBe('FAIL');
    const { exitCode, reasons } = runExitCode({ scenarios: [], checks: null, figures: [f] });
    expect(exitCode).toBe(4);
    expect(reasons).toEqual([
      'target missed: redis-slow@58s:5s: injected and lifted as planned = 0, target = 1 (fault schedule: not injected: the load ended before 58 s)',
    ]);
  });

  it('broken on purpose: an injector that failed, or failed to lift its fault, fails its item', () => {
    const base = outcome('redis-stop', T0 + 5_000, T0 + 8_000);
    const notStarted = {
      ...base,
      injected: false,
      startedAt: T0 + 5_000,
      endedAt: T0 + 5_100,
      error: 'stop failed: exit 1',
    };
    const notLifted = { ...outcome('postgres-restart', T0 + 12_000, T0 + 15_000), error: 'start failed: timeout' };
    const figs = injected(
      faultFigures(
        analyseFaults(
          stream(T0, 30, () => true),
          [notStarted, notLifted],
          opts,
        ),
        [],
      ),
    );
    expect(figs.map((f) => [f.pass, f.note])).toEqual([
      [false, 'not injected: stop failed: exit 1'],
      [false, 'injected, but start failed: timeout'],
    ]);
  });

  it('a fault injected and lifted passes its item', () => {
    const r = analyseFaults(
      stream(T0, 30, () => true),
      [outcome('pool-exhaust', T0 + 5_000, T0 + 8_000)],
      opts,
    );
    expect(injected(faultFigures(r, []))[0]).toMatchObject({ value: 1, pass: true });
  });

  it("the shipped chaos profile's faults all end, with time to recover, inside its planned load", () => {
    const chaos = JSON.parse(readFileSync('config/profiles/chaos.json', 'utf8')) as {
      load: { scenarios: string[]; durationSeconds: number };
      faults: Array<{ kind: string; atSeconds: number; durationSeconds: number }>;
    };
    // Both chaos scenarios are closed-model and run one after the other for load.durationSeconds each.
    expect(chaos.load.scenarios).toEqual(['user-journey', 'write-contention']);
    const plannedLoadS = chaos.load.scenarios.length * chaos.load.durationSeconds;
    for (const f of chaos.faults)
      expect(f.atSeconds + f.durationSeconds + STABLE_SECONDS, `${f.kind}@${f.atSeconds}s`).toBeLessThan(plannedLoadS);
  });
});
