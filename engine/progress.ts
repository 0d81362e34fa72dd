/**
 * The live progress line (on a terminal only) and the start banner, both
 * returned as strings (k6 cmd/ui.go prints the same information).
 */
import { formatDuration } from '../config/index.ts';

/** Per-scenario figures for the progress line. */
export interface ScenarioProgress {
  name: string;
  progress: number;
  requests: number;
}

/** One progress line: elapsed, VUs, iterations, and req/s per scenario. */
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
