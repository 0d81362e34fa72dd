/**
 * The timeline analysis of a fault run: requests (one per k6
 * `http_req_failed` Point, timed when the request completed) against the
 * faults' measured windows. Pure: points and outcomes in, results out.
 *
 * Windows of fault i: before = [previous fault's end (or the load's start),
 * start); during = [start, end); after = [end, next fault's start (or the
 * load's end)). Time to recover: the after-window is cut in 1 s buckets; the
 * fault recovered at bucket k when buckets k .. k+N-1 each have a success
 * rate >= the target (a bucket in which no request completed does not count
 * as success: requests that hang are not a recovery). Fewer than N whole
 * buckets after the fault: recovery cannot be judged (null).
 */
import { K6_HTTP_ERRORS } from '../engine/index.ts';
import type { FaultOutcome, FaultResult, WindowStats } from './types.ts';

/** One completed request of the load. */
export interface RequestPoint {
  time: number;
  failed: boolean;
  /** k6 `status` tag ("0" when there was no response). */
  status: string;
  /** k6 `error_code` tag, when set. */
  errorCode?: string;
}

export interface TimelineOptions {
  loadStart: number;
  loadEnd: number;
  /** Success rate a 1 s bucket needs (config.targets.successRate). */
  successTarget: number;
  /** How many buckets in a row make a recovery. */
  stableSeconds: number;
}

const CODE_NAMES = new Map<string, string>(Object.entries(K6_HTTP_ERRORS).map(([k, v]) => [String(v), k]));

/** The kind of a failed request: its HTTP status, or k6's error code when there was no response. */
export function errorKind(p: RequestPoint): string {
  if (p.status && p.status !== '0') return `HTTP ${p.status}`;
  const code = p.errorCode ?? '?';
  return `no response (k6 ${code}${CODE_NAMES.has(code) ? ` ${CODE_NAMES.get(code)}` : ''})`;
}

/** Index of the first point at or after `t` (points sorted by time). */
function lowerBound(points: readonly RequestPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Requests that completed in [from, to). */
export function windowStats(points: readonly RequestPoint[], from: number, to: number): WindowStats {
  let requests = 0;
  let failed = 0;
  for (let i = lowerBound(points, from); i < points.length && points[i].time < to; i++) {
    requests++;
    if (points[i].failed) failed++;
  }
  return { from, to, requests, failed, successRate: requests ? (requests - failed) / requests : null };
}

/** Seconds from `from` to the first stable run of good buckets before `to`, or null. */
export function recoverySeconds(
  points: readonly RequestPoint[],
  from: number,
  to: number,
  target: number,
  stable: number,
): { seconds: number | null; buckets: number } {
  const buckets = Math.floor((to - from) / 1000);
  let run = 0;
  for (let k = 0; k < buckets; k++) {
    const s = windowStats(points, from + k * 1000, from + (k + 1) * 1000);
    run = s.successRate !== null && s.successRate >= target ? run + 1 : 0;
    if (run >= stable) return { seconds: k - stable + 1, buckets };
  }
  return { seconds: null, buckets };
}

/** The effect of each fault on the load. `points` must be sorted by time. */
export function analyseFaults(
  points: readonly RequestPoint[],
  outcomes: readonly FaultOutcome[],
  o: TimelineOptions,
): FaultResult[] {
  const injected = outcomes.filter((f) => f.injected && f.startedAt !== null && f.endedAt !== null);
  return outcomes.map((f) => {
    const base = { target: o.successTarget, stableSeconds: o.stableSeconds };
    if (!f.injected || f.startedAt === null || f.endedAt === null) {
      return {
        ...f,
        windows: null,
        errorsByKind: {},
        recovery: { ...base, seconds: null, recovered: null, note: 'not injected' },
      };
    }
    const idx = injected.indexOf(f);
    const prevEnd = idx > 0 ? injected[idx - 1].endedAt! : o.loadStart;
    const nextStart = idx < injected.length - 1 ? injected[idx + 1].startedAt! : o.loadEnd;
    const afterTo = Math.max(f.endedAt, nextStart);
    const windows = {
      before: windowStats(points, Math.min(prevEnd, f.startedAt), f.startedAt),
      during: windowStats(points, f.startedAt, f.endedAt),
      after: windowStats(points, f.endedAt, afterTo),
    };
    const errorsByKind: Record<string, number> = {};
    for (let i = lowerBound(points, f.startedAt); i < points.length && points[i].time < afterTo; i++) {
      if (!points[i].failed) continue;
      const k = errorKind(points[i]);
      errorsByKind[k] = (errorsByKind[k] ?? 0) + 1;
    }
    const r = recoverySeconds(points, f.endedAt, afterTo, o.successTarget, o.stableSeconds);
    let note: string | null = null;
    let recovered: boolean | null = r.seconds !== null;
    if (r.seconds === null && r.buckets < o.stableSeconds) {
      recovered = null;
      note = `only ${r.buckets} s of load after the fault; ${o.stableSeconds} s are needed to judge recovery`;
    } else if (r.seconds === null) {
      note = `the success rate did not stay ≥ ${o.successTarget} for ${o.stableSeconds} s in the ${r.buckets} s after the fault`;
    }
    return { ...f, windows, errorsByKind, recovery: { ...base, seconds: r.seconds, recovered, note } };
  });
}
