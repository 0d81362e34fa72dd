/**
 * What every executor's configuration has (k6 lib/executor/base_config.go):
 * `executor`, `startTime` (default 0s), `gracefulStop` (default 30s), `exec`
 * (default "default"), `env`, `tags`; and the validation helpers the
 * executor files use to read their own fields. Problems are collected, not
 * thrown one by one, so the user sees all of them at once (k6 `Validate()
 * []error`).
 */
import type { Tags } from '../metrics/index.ts';
import { parseDuration } from '../../config/index.ts';

/** The executors k6 has that the embedded engine runs. */
export const EXECUTOR_TYPES = [
  'shared-iterations',
  'per-vu-iterations',
  'constant-vus',
  'ramping-vus',
  'constant-arrival-rate',
  'ramping-arrival-rate',
] as const;
export type ExecutorType = (typeof EXECUTOR_TYPES)[number];

/** Fields shared by all executors. */
export interface BaseConfig {
  name: string;
  type: ExecutorType;
  startTimeMs: number;
  gracefulStopMs: number;
  exec: string;
  env: Record<string, string>;
  tags: Tags;
}

/** k6 lib/executor/base_config.go defaults. */
export const DEFAULT_GRACEFUL_STOP_MS = 30_000;
/** k6 shared-iterations / per-vu-iterations `maxDuration` default. */
export const DEFAULT_MAX_DURATION_MS = 600_000;

/** k6 lib.Stage: `{ duration, target }`. */
export interface Stage {
  durationMs: number;
  target: number;
}

/** Reads fields of one scenario, recording problems in `errors`. */
export class FieldReader {
  constructor(
    readonly scenario: string,
    readonly raw: Record<string, unknown>,
    readonly errors: string[],
  ) {}

  private problem(msg: string): void {
    this.errors.push(`scenario "${this.scenario}": ${msg}`);
  }

  /** A non-negative integer field (or its default; `required` when there is none). */
  int(key: string, def: number | undefined, min = 0): number {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (def === undefined) this.problem(`"${key}" is required`);
      return def ?? 0;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.problem(`"${key}" must be an integer >= ${min}, got ${JSON.stringify(v)}`);
      return def ?? min;
    }
    return v;
  }

  /** A duration field in ms (k6 accepts "30s"-style strings and numbers of ms). */
  duration(key: string, def: number | undefined, positive = false): number {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (def === undefined) this.problem(`"${key}" is required`);
      return def ?? 0;
    }
    const ms = parseDuration(v);
    if (ms === null || (positive && ms <= 0)) {
      this.problem(`"${key}" must be a ${positive ? 'positive ' : ''}duration like "30s", got ${JSON.stringify(v)}`);
      return def ?? 0;
    }
    return ms;
  }

  /** A list of stages `{ duration, target }`. */
  stages(key = 'stages'): Stage[] {
    const v = this.raw[key];
    if (!Array.isArray(v) || v.length === 0) {
      this.problem(`"${key}" must be a non-empty list of { duration, target }`);
      return [];
    }
    return v.map((s: Record<string, unknown>, i: number) => {
      const d = parseDuration(s?.duration);
      const t = s?.target;
      if (d === null)
        this.problem(`${key}[${i}].duration must be a duration like "30s", got ${JSON.stringify(s?.duration)}`);
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 0)
        this.problem(`${key}[${i}].target must be an integer >= 0, got ${JSON.stringify(t)}`);
      return { durationMs: d ?? 0, target: typeof t === 'number' ? t : 0 };
    });
  }

  /** Fails for fields this executor does not know (k6 rejects unknown keys). */
  onlyKnown(known: string[]): void {
    const all = new Set([...known, 'executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags']);
    for (const k of Object.keys(this.raw))
      if (!all.has(k)) this.problem(`unknown field "${k}" for executor ${String(this.raw.executor)}`);
  }
}

/** Reads the fields every executor shares. */
export function readBaseConfig(name: string, type: ExecutorType, r: FieldReader): BaseConfig {
  const raw = r.raw;
  const exec = raw.exec === undefined ? 'default' : raw.exec;
  if (typeof exec !== 'string' || exec === '')
    r.errors.push(`scenario "${name}": "exec" must be the name of an exported function`);
  return {
    name,
    type,
    startTimeMs: r.duration('startTime', 0),
    gracefulStopMs: r.duration('gracefulStop', DEFAULT_GRACEFUL_STOP_MS),
    exec: String(exec),
    env: stringRecord(raw.env),
    tags: stringRecord(raw.tags),
  };
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

/** Sum of stage durations (k6 `sumStagesDuration`). */
export function sumStages(stages: Stage[]): number {
  return stages.reduce((a, s) => a + s.durationMs, 0);
}
