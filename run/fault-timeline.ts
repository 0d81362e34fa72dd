/**
 * The fault timeline of a run: reads the completed requests from the
 * scenarios' k6 NDJSON streams (`http_req_failed` Points: value 1 = failed; tags status and
 * error_code), streamed line by line, sorted by time for the timeline.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config/index.ts';
import {
  analyseFaults,
  STABLE_SECONDS,
  type FaultOutcome,
  type FaultResult,
  type RequestPoint,
} from '../faults/index.ts';
import { readK6Records } from '../report/index.ts';

/** Every http_req_failed Point of `files` (missing files are skipped), sorted by time. */
export async function readRequestPoints(files: readonly string[]): Promise<RequestPoint[]> {
  const out: RequestPoint[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    for await (const rec of readK6Records(f)) {
      if (!('point' in rec) || rec.point.metric !== 'http_req_failed') continue;
      const p = rec.point;
      out.push({ time: p.time, failed: p.value !== 0, status: p.tags.status ?? '0', errorCode: p.tags.error_code });
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Reads the run's request stream and measures each fault's effect. */
export async function analyseRunFaults(
  outcomes: readonly FaultOutcome[],
  o: { metricsFiles: readonly string[]; loadStart: number; loadEnd: number; config: Readonly<Config> },
): Promise<FaultResult[]> {
  const points = await readRequestPoints(o.metricsFiles);
  return analyseFaults(points, outcomes, {
    loadStart: o.loadStart,
    loadEnd: o.loadEnd,
    successTarget: o.config.targets.successRate,
    stableSeconds: STABLE_SECONDS,
  });
}
