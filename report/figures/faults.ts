/**
 * The fault section of a report: per fault, the success rate
 * before, during and after it, the time to recover, errors by kind, the
 * consistency after recovery and the acknowledged writes lost; for
 * pool-exhaust, also what the pool did. One table per fault.
 *
 * Sources: the scenarios' k6 NDJSON stream (http_req_failed Points, bucketed
 * by time relative to the fault's window), the injector's own clock and
 * requests, the target's /metrics, and the checkers that run after the load.
 * Judged: each planned fault was injected and lifted as planned (a fault the
 * load ended before, or whose injector failed, is a missed target naming the
 * fault and why: exit 4; a run whose fault never happened proves nothing
 * about it), each fault recovered (no recovery -> exit 4), no acknowledged
 * write lost and no stale cache entry after the grace period (-> exit 3,
 * through the checkers). When a checker could not see (its result is NO DATA, e.g. a
 * scenario's metrics stream is missing), "lost" and "stale" are NO DATA too:
 * a missed target (exit 4), never a 0 that passes.
 */
import type { FaultResult } from '../../faults/index.ts';
import { judge, type Figure } from '../figure.ts';
import type { Cell, Table } from '../tables.ts';
import type { CheckerOutcome } from './inputs.ts';
import { checkerNoData } from './overview.ts';

/**
 * Violations of one checker (of `kinds`), or null with the reason: the checker
 * did not run, or its result is no measurement (checks `noData`, e.g. a
 * metrics stream missing) and it found none. "0 lost" is only said when the
 * checker could see every acknowledged write.
 */
function violationsOf(
  checkers: CheckerOutcome[],
  name: string,
  kinds?: string[],
): { value: number | null; note?: string } {
  const c = checkers.find((x) => x.name === name);
  if (!c) return { value: null, note: `checker ${name} did not run` };
  const n = Object.entries(c.violations)
    .filter(([k]) => !kinds || kinds.includes(k))
    .reduce((a, [, v]) => a + v, 0);
  const why = checkerNoData(c);
  return n === 0 && why ? { value: null, note: why } : { value: n };
}

const ratio = (id: string, label: string, value: number | null, source: string): Figure => ({
  id,
  label,
  value,
  unit: 'ratio',
  source,
  side: 'client',
  higherIsBetter: true,
});

/** Why a planned fault did not happen as planned, or null when it did. */
export function faultMiss(f: FaultResult): string | null {
  if (!f.injected)
    return `not injected: ${[f.error, ...f.notes].filter(Boolean).join('; ') || 'the injector did not start'}`;
  return f.error ? `injected, but ${f.error}` : null;
}

/** The judged "did it happen" figure of one planned fault: 1 when injected and lifted without error. */
function injectedFigure(id: string, f: FaultResult): Figure {
  const miss = faultMiss(f);
  return judge(
    {
      id: `${id}.injected`,
      label: 'Injected and lifted as planned',
      value: miss ? 0 : 1,
      unit: 'count',
      source: miss
        ? `fault schedule: ${miss}`
        : `fault schedule and injector: ${f.method}, begun and lifted (injector clock)`,
      side: 'client',
      higherIsBetter: true,
      ...(miss ? { note: miss } : {}),
    },
    { op: '==', value: 1 },
  );
}

/** Figures and one table per fault; nothing when the run planned no fault. */
export function faultFigures(
  faults: FaultResult[],
  checkers: CheckerOutcome[] | null,
): { figures: Figure[]; tables: Table[] } {
  const figures: Figure[] = [];
  const tables: Table[] = [];
  const stale = checkers ? violationsOf(checkers, 'cache-db-sync') : { value: null, note: 'the checkers did not run' };
  const lost = checkers
    ? violationsOf(checkers, 'concurrent-access', ['acked_write_missing'])
    : { value: null, note: 'the checkers did not run' };
  faults.forEach((f, i) => {
    const id = `fault.${i + 1}.${f.kind}`;
    const stream = 'k6 http_req_failed Points (NDJSON), 1 − rate';
    const w = f.windows;
    const fig: Figure[] = [
      injectedFigure(id, f),
      ratio(
        `${id}.success.before`,
        'Success rate before',
        w?.before.successRate ?? null,
        `${stream}, from the previous fault's end (or the load's start) to this fault`,
      ),
      ratio(
        `${id}.success.during`,
        'Success rate during',
        w?.during.successRate ?? null,
        `${stream}, between the fault's start and its end`,
      ),
      ratio(
        `${id}.success.after`,
        'Success rate after',
        w?.after.successRate ?? null,
        `${stream}, from the fault's end to the next fault (or the load's end)`,
      ),
      judge(
        {
          id: `${id}.recovered`,
          label: 'Recovered',
          value: f.recovery.recovered === null ? null : f.recovery.recovered ? 1 : 0,
          unit: 'count',
          source: `success rate ≥ ${f.recovery.target} in each of ${f.recovery.stableSeconds} consecutive 1 s buckets after the fault`,
          side: 'client',
          higherIsBetter: true,
          note: f.recovery.note ?? undefined,
        },
        f.injected ? { op: '==', value: 1 } : undefined,
      ),
      {
        id: `${id}.recovery`,
        label: 'Time to recover',
        value: f.recovery.seconds,
        unit: 's',
        source: 'first 1 s bucket after the fault from which the success rate stays at target (k6 NDJSON)',
        side: 'client',
      },
      {
        id: `${id}.faultSeconds`,
        label: 'Fault window (measured)',
        value: f.startedAt !== null && f.endedAt !== null ? (f.endedAt - f.startedAt) / 1000 : null,
        unit: 's',
        source: 'injector clock: disturbance begun → lifted (server answering / lock released)',
        side: 'client',
      },
      {
        id: `${id}.requests.during`,
        label: 'Requests during',
        value: w?.during.requests ?? null,
        unit: 'count',
        source: 'k6 http_req_failed Points in the window',
        side: 'client',
      },
      {
        id: `${id}.failed`,
        label: 'Failed requests during and after',
        value: w ? w.during.failed + w.after.failed : null,
        unit: 'count',
        source: 'k6 http_req_failed Points (value 1)',
        side: 'client',
      },
      judge(
        {
          id: `${id}.stale`,
          label: 'Cache entries out of sync after recovery',
          value: stale.value,
          unit: 'count',
          source: 'checker cache-db-sync after the load and its grace period',
          side: 'server',
          ...(stale.note ? { note: stale.note } : {}),
        },
        f.injected ? { op: '==', value: 0 } : undefined,
      ),
      judge(
        {
          id: `${id}.lost`,
          label: 'Acknowledged writes lost',
          value: lost.value,
          unit: 'count',
          source: 'checker concurrent-access acked_write_missing (k6 acked_writes vs rows)',
          side: 'server',
          ...(lost.note ? { note: lost.note } : {}),
        },
        f.injected ? { op: '==', value: 0 } : undefined,
      ),
    ];
    // Labels name the fault (they also appear in the target summary); the fault's own table shows the short form.
    for (const x of fig) x.label = `${f.label}: ${x.label.charAt(0).toLowerCase()}${x.label.slice(1)}`;
    const rowOf = (x: Figure): Cell[] => [
      x.label.slice(f.label.length + 2),
      { figure: x.id },
      { figure: x.id, show: 'verdict' },
      { figure: x.id, show: 'source' },
    ];
    const rows: Cell[][] = fig.map(rowOf);
    const kinds = Object.entries(f.errorsByKind).sort((a, b) => b[1] - a[1]);
    rows.push([
      'Errors by kind (during and after)',
      kinds.length ? kinds.map(([k, n]) => `${k}: ${n}`).join(', ') : 'none',
      '',
      'k6 http_req_failed Points: status / error_code tags',
    ]);
    if (f.pool) {
      const p = f.pool;
      const pf: Figure[] = [
        {
          id: `${id}.pool.max`,
          label: 'Pool maximum',
          value: p.poolMax,
          unit: 'count',
          source: 'target /metrics acgs_pool_max',
          side: 'server',
        },
        {
          id: `${id}.pool.slow`,
          label: 'Concurrent slow requests sent',
          value: p.slowRequests,
          unit: 'count',
          source: 'injector',
          side: 'client',
        },
        {
          id: `${id}.pool.503`,
          label: '503 answers (acquire timeout)',
          value: p.rejected503,
          unit: 'count',
          source: 'injector: status of its requests',
          side: 'client',
        },
        judge(
          {
            id: `${id}.pool.noRetryAfter`,
            label: '503 without Retry-After',
            value: p.missingRetryAfter,
            unit: 'count',
            source: 'injector: Retry-After header',
            side: 'client',
          },
          { op: '==', value: 0 },
        ),
        {
          id: `${id}.pool.peakWaiting`,
          label: 'Peak waiting for a connection',
          value: p.peakWaiting,
          unit: 'count',
          source: 'target /metrics acgs_pool_waiting, every 200 ms',
          side: 'server',
        },
        {
          id: `${id}.pool.peakInUse`,
          label: 'Peak connections in use',
          value: p.peakInUse,
          unit: 'count',
          source: 'target /metrics acgs_pool_connections{state="in_use"}, every 200 ms',
          side: 'server',
        },
        judge(
          {
            id: `${id}.pool.recovery`,
            label: 'Pool back to normal after the load ended',
            value: p.recoverySeconds,
            unit: 's',
            source: 'target /metrics: lock released → acgs_pool_waiting 0 and in_use < max',
            side: 'server',
          },
          { op: '<=', value: 10 },
        ),
        judge(
          {
            id: `${id}.pool.health`,
            label: 'Target alive after (GET /healthz status)',
            value: p.healthStatusAfter,
            unit: 'count',
            source: 'injector GET /healthz',
            side: 'client',
          },
          { op: '==', value: 200 },
        ),
      ];
      for (const x of pf) x.label = `${f.label}: ${x.label.charAt(0).toLowerCase()}${x.label.slice(1)}`;
      fig.push(...pf);
      for (const x of pf) rows.push(rowOf(x));
      rows.push([
        'Answers to the slow requests',
        Object.entries(p.statuses)
          .map(([k, n]) => `${k}: ${n}`)
          .join(', '),
        '',
        'injector',
      ]);
      rows.push([
        'Retry-After seen',
        p.retryAfter.length ? p.retryAfter.map((s) => `${s} s`).join(', ') : 'none',
        '',
        'injector: Retry-After header of the 503s',
      ]);
    }
    figures.push(...fig);
    const status = !f.injected ? 'NOT INJECTED' : f.error ? `ERROR: ${f.error}` : `${f.method}`;
    tables.push({
      title: `Fault ${i + 1}: ${f.label}`,
      intro: `${f.kind} at ${f.atSeconds} s for ${f.durationSeconds} s after the scenarios started — ${status}.`,
      columns: ['figure', 'value', 'verdict', 'source'],
      rows,
      notes: [...f.notes, ...(f.error && f.injected ? [`error: ${f.error}`] : [])],
    });
  });
  return { figures, tables };
}
