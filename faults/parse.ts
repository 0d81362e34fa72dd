/**
 * `--fault KIND@TIME[:DURATION]`: one fault of a run, from the command line.
 *
 * Grammar (one flag per fault; repeat the flag for more):
 *
 *   fault    = kind "@" time [ ":" duration ]
 *   kind     = "redis-stop" | "postgres-restart" | "redis-slow" | "pool-exhaust"
 *   time     = span            ; after the scenarios start
 *   duration = span            ; how long the fault lasts (default 5 s)
 *   span     = a k6 duration (config/duration.ts): "10s", "500ms", "1m30s"; a bare number is seconds
 *
 * Examples: `redis-stop@10s:5s`, `postgres-restart@30:3`, `pool-exhaust@1m:8s`.
 * Pure: text in, the configuration's fault entry out, or an AcgsError BAD_FLAG
 * that names the part that is wrong.
 */
import { AcgsError, FAULT_KINDS, parseDuration, type FaultKind } from '../config/index.ts';

/** One fault as the configuration holds it (`config.faults[i]`). */
export interface FaultSpec {
  kind: FaultKind;
  atSeconds: number;
  durationSeconds: number;
}

/** Default fault duration when the flag gives none (the schema's default). */
export const DEFAULT_FAULT_SECONDS = 5;
const MAX_FAULT_SECONDS = 3600;

const HINT = `write --fault KIND@TIME[:DURATION], e.g. --fault redis-stop@10s:5s; kinds: ${FAULT_KINDS.join(', ')}`;

/** Parses a span ("10s", "500ms", "1m", "2.5") to seconds in k6's duration grammar, or null when malformed. */
export function parseSpan(text: string): number | null {
  const ms = parseDuration(text);
  return ms === null ? null : ms / 1000;
}

/** Parses one `--fault` value; throws AcgsError BAD_FLAG naming what is wrong. */
export function parseFaultFlag(value: string): FaultSpec {
  const bad = (why: string) => new AcgsError('BAD_FLAG', `--fault '${value}': ${why}`, { hint: HINT });
  const at = value.indexOf('@');
  if (at < 0) throw bad('missing "@TIME" (when the fault starts)');
  const kind = value.slice(0, at).trim();
  if (!(FAULT_KINDS as readonly string[]).includes(kind))
    throw bad(`'${kind}' is not a fault kind; choose one of ${FAULT_KINDS.join(', ')}`);
  const rest = value.slice(at + 1);
  const colon = rest.indexOf(':');
  const timeText = colon < 0 ? rest : rest.slice(0, colon);
  const atSeconds = parseSpan(timeText);
  if (atSeconds === null) throw bad(`time '${timeText}' is not a duration such as 10s, 500ms or 1m`);
  let durationSeconds = DEFAULT_FAULT_SECONDS;
  if (colon >= 0) {
    const durText = rest.slice(colon + 1);
    const d = parseSpan(durText);
    if (d === null) throw bad(`duration '${durText}' is not a duration such as 5s, 500ms or 1m`);
    if (d <= 0) throw bad('the duration must be longer than 0');
    if (d > MAX_FAULT_SECONDS) throw bad(`the duration ${d} s is longer than the ${MAX_FAULT_SECONDS} s allowed`);
    durationSeconds = d;
  }
  return { kind: kind as FaultKind, atSeconds, durationSeconds };
}

/** Parses every `--fault` flag; the first malformed one throws. */
export function parseFaultFlags(values: readonly string[] | undefined): FaultSpec[] | undefined {
  if (!values?.length) return undefined;
  return values.map(parseFaultFlag);
}

/** The fault as the flag would spell it, for logs and report titles. */
export function faultLabel(f: FaultSpec): string {
  return `${f.kind}@${f.atSeconds}s:${f.durationSeconds}s`;
}
