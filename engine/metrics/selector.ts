/**
 * Parsing `metric{tag:value,...}` selectors, as k6 does for thresholds and
 * sub-metrics (k6 metrics/metric.go `ParseMetricName` and `AddSubmetric`):
 *
 *   selector -> name ( "{" tag ( "," tag )* "}" )?
 *   tag      -> key ":" value          (split at the first ':'; value may hold ':')
 *
 * Keys and values are trimmed of spaces, then of `"` and `'` quotes, so
 * `{ status : "200" }` selects the tag status=200. A selector must end with
 * its closing brace, braces must match, and each tag must have a non-empty
 * value (k6: "tag expression is malformed").
 */
import type { Tags } from './types.ts';

/** A parsed selector: the metric name, the raw text between braces, the tags. */
export interface ParsedSelector {
  name: string;
  /** Text between the braces, trimmed; '' when there is no selector. */
  suffix: string;
  tags: Tags;
}

/** Parse a selector, or throw an Error whose message says what is malformed. */
export function parseMetricSelector(input: string): ParsedSelector {
  const open = input.indexOf('{');
  const close = input.lastIndexOf('}');
  if (open === -1 && close === -1) return { name: input.trim(), suffix: '', tags: {} };
  if (open === -1 || close === -1) {
    throw new Error(`metric '${input}' has an unmatched opening/closing curly brace; write name{tag:value}`);
  }
  if (close < open) throw new Error(`metric '${input}' has its closing curly brace before the opening one`);
  if (close !== input.length - 1) {
    throw new Error(`metric '${input}' must end with its closing curly brace; write name{tag:value}`);
  }
  const name = input.slice(0, open).trim();
  const suffix = input.slice(open + 1, close).trim();
  const tags: Tags = {};
  for (const part of suffix.split(',')) {
    const colon = part.indexOf(':');
    const value = colon === -1 ? '' : unquote(part.slice(colon + 1));
    if (colon === -1 || value === '') {
      throw new Error(`metric '${input}': tag expression '${part.trim()}' is malformed; write tag:value`);
    }
    tags[unquote(part.slice(0, colon))] = value;
  }
  return { name, suffix, tags };
}

function unquote(s: string): string {
  return s.trim().replace(/^["']+|["']+$/g, '');
}

/** True when `sample` carries every tag of `selector` with the same value. */
export function tagsMatch(selector: Tags, sample: Tags): boolean {
  for (const k in selector) if (sample[k] !== selector[k]) return false;
  return true;
}

/** True when two tag sets are equal (same keys, same values). */
export function tagsEqual(a: Tags, b: Tags): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}
