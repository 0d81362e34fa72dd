/**
 * Line paths that do not invent data: a series is split where a value is
 * missing or where two samples are further apart than its sampling allows,
 * and each piece becomes its own subpath (M ... L ...). A piece of a single
 * point is drawn as a dot (a zero-length subpath with a round cap).
 */
import { num } from './escape.ts';

export type XY = [number, number | null];

/**
 * Splits points (in x order) into runs of drawable points: a null or
 * non-finite y ends a run, and so does a step in x larger than `maxGap`
 * (e.g. two sample intervals: one empty bucket is bridged, two are a gap).
 */
export function splitAtGaps(points: readonly XY[], maxGap = Infinity): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  let cur: Array<[number, number]> = [];
  for (const [x, y] of points) {
    if (y === null || !Number.isFinite(y) || !Number.isFinite(x)) {
      if (cur.length) out.push(cur);
      cur = [];
      continue;
    }
    const prev = cur.at(-1);
    if (prev && x - prev[0] > maxGap) {
      out.push(cur);
      cur = [];
    }
    cur.push([x, y]);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** The SVG path data of the pieces, in pixels: one `M x y L ...` per piece, `M x y h0` for a lone point. */
export function pathData(
  pieces: ReadonlyArray<ReadonlyArray<[number, number]>>,
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  return pieces
    .map((p) =>
      p.length === 1
        ? `M${num(x(p[0][0]))} ${num(y(p[0][1]))}h0`
        : p.map(([px, py], i) => `${i ? 'L' : 'M'}${num(x(px))} ${num(y(py))}`).join(''),
    )
    .join('');
}
