/**
 * Streams a k6 NDJSON file line by line (never the whole file in memory),
 * gunzipping `.gz` files as k6 writes them for `--out json=FILE.gz`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { classify, type K6MetricRecord, type Point } from './k6-records.ts';

/** What a pass over one file saw besides the records it yielded. */
export interface ReadStats {
  lines: number;
  /** Lines that were not JSON or not a k6 record (e.g. a truncated last line). */
  badLines: number;
}

/**
 * Yields each Metric declaration and Point of a k6 JSON output file, in file
 * order. Bad lines are counted in `stats`, not thrown: a run killed mid-write
 * leaves a truncated last line, and the rest of the file is still good.
 */
export async function* readK6Records(
  file: string,
  stats: ReadStats = { lines: 0, badLines: 0 },
  /** Lines for which this is false are skipped unparsed (a cheap substring test before JSON.parse). */
  keep?: (line: string) => boolean,
): AsyncGenerator<{ point: Point } | { metric: K6MetricRecord }> {
  let input: Readable = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.length === 0) continue;
    stats.lines++;
    if (keep && !keep(line)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      stats.badLines++;
      continue;
    }
    const rec = classify(parsed);
    if (rec) yield rec;
    else stats.badLines++;
  }
}
