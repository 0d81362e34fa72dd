/**
 * The progress the embedded engine shows, returned as strings (k6 cmd/ui.go
 * prints the same information): the start banner, the live line rewritten in
 * place on a terminal, and the plain line printed every few seconds when the
 * output is not a terminal (a CI log). run-support.ts decides when to write.
 */
import { formatDuration } from '../config/index.ts';

/** Per-scenario figures for the progress line. */
export interface ScenarioProgress {
  name: string;
  progress: number;
  requests: number;
}

/** The live line (terminal): elapsed, VUs, iterations, and progress and mean req/s per scenario. */
export function progressLine(
  elapsedMs: number,
  vusActive: number,
  vusMax: number,
  completed: number,
  interrupted: number,
  scenarios: ScenarioProgress[],
): string {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const m = Math.floor(secs / 60);
  const s = (secs - m * 60).toFixed(1).padStart(4, '0');
  const per = scenarios
    .map((sc) => `${sc.name} ${Math.round(sc.progress * 100)}% ${(sc.requests / secs).toFixed(1)} req/s`)
    .join(' | ');
  return `running (${String(m).padStart(2, '0')}m${s}s), ${vusActive}/${vusMax} VUs, ${completed} complete and ${interrupted} interrupted iterations${per ? ` | ${per}` : ''}`;
}

/** The banner k6 prints before the test (execution, script, output, scenarios). */
export function startBanner(
  script: string,
  outputs: string[],
  scenarios: Array<{ name: string; line: string }>,
  maxVUs: number,
  maxDurationMs: number,
): string {
  const lines = [
    '',
    '  execution: local (acgs-load embedded engine)',
    `     script: ${script}`,
    `     output: ${outputs.length ? outputs.join(', ') : '-'}`,
    '',
    `  scenarios: (100.00%) ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}, ${maxVUs} max VUs, ${formatDuration(maxDurationMs)} max duration (incl. graceful stop):`,
    ...scenarios.map((s) => `           * ${s.name}: ${s.line}`),
    '',
  ];
  return lines.join('\n') + '\n';
}

/** How the engine shows progress: `auto` picks `tty` on a terminal and `lines` otherwise. */
export type ProgressMode = 'auto' | 'tty' | 'lines' | 'none';

/** A plain progress line this often when the output is not a terminal (CI logs). */
export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;

/**
 * What the run shows: `quiet` wins (k6 -q shows no progress either); `auto`,
 * the default, rewrites one live line on a terminal and prints plain lines
 * otherwise, where `\r` would pile up in a log file.
 */
export function resolveProgressMode(
  o: { quiet?: boolean; progress?: ProgressMode },
  stdoutIsTTY: boolean,
): 'tty' | 'lines' | 'none' {
  if (o.quiet) return 'none';
  const mode = o.progress ?? 'auto';
  if (mode === 'auto') return stdoutIsTTY ? 'tty' : 'lines';
  return mode;
}

/** The figures of one plain progress line (non-terminal output). */
export interface ProgressSnapshot {
  /** The scenarios running now (all of them before the first starts). */
  scenarios: string[];
  elapsedMs: number;
  /** When the last scenario is due to end, graceful stops excluded; 0 when unknown. */
  plannedMs: number;
  vusActive: number;
  vusMax: number;
  completed: number;
  interrupted: number;
  /** HTTP requests finished in the window (the time since the previous line). */
  windowRequests: number;
  windowMs: number;
  /** Requests counted as failed by http_req_failed since the start. */
  failedRequests: number;
}

/** Scenario names shown in a line; more are counted, not listed. */
const MAX_NAMES = 3;

/**
 * One plain progress line, e.g.
 * `running user_journey 1m20s/6m00s, 50/50 VUs, 12345 complete and 0 interrupted iterations, 812.4 req/s (last 10s), 3 failed requests`.
 */
export function progressStatusLine(p: ProgressSnapshot): string {
  const names = p.scenarios.length
    ? p.scenarios.slice(0, MAX_NAMES).join(', ') +
      (p.scenarios.length > MAX_NAMES ? ` +${p.scenarios.length - MAX_NAMES} more` : '')
    : '-';
  const time = p.plannedMs > 0 ? `${clock(p.elapsedMs)}/${clock(p.plannedMs)}` : clock(p.elapsedMs);
  const rate = p.windowMs > 0 ? (p.windowRequests * 1000) / p.windowMs : 0;
  const window = p.windowMs >= 1000 ? `${Math.round(p.windowMs / 1000)}s` : `${Math.max(0, Math.round(p.windowMs))}ms`;
  const failed = `${p.failedRequests} failed request${p.failedRequests === 1 ? '' : 's'}`;
  return `running ${names} ${time}, ${p.vusActive}/${p.vusMax} VUs, ${p.completed} complete and ${p.interrupted} interrupted iterations, ${rate.toFixed(1)} req/s (last ${window}), ${failed}`;
}

/** Whole seconds as `1m05s` or `1h02m05s`. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}h${String(m).padStart(2, '0')}m${s}s` : `${m}m${s}s`;
}
