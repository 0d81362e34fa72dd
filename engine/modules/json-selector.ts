/**
 * The subset of gjson path syntax k6's `Response.json(selector)` takes
 * (k6 docs "Response.json()"; https://github.com/tidwall/gjson/blob/master/SYNTAX.md):
 *
 *   name.first          keys, separated by dots (`\.` escapes a dot in a key)
 *   children.1          an array element by index
 *   children.#          the length of an array
 *   friends.#.first     a key of every element (an array)
 *   child*.2, c?ildren  `*` and `?` wildcards in a key (the first key that matches)
 *   friends.#(last=="Murphy").first    the first element matching a query
 *   friends.#(age>45)#.last            every element matching it
 *
 * Query operators: ==, !=, <, <=, >, >=, % (like, with * and ?), !% (not
 * like); values are JSON literals ("text", 12, true, false, null); an empty
 * key (`#(=="x")`) compares the element itself. A path that matches nothing
 * gives undefined, as in k6. Modifiers (`@reverse`...) and multipaths are not
 * supported.
 */

/** The value at `path` in `root`, or undefined. */
export function selectJson(root: unknown, path: string): unknown {
  return walk(root, splitPath(path), 0);
}

/** Splits on unescaped dots outside `#(...)`. */
function splitPath(path: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && i + 1 < path.length) {
      cur += ch + path[++i];
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '.' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

function walk(cur: unknown, parts: string[], i: number): unknown {
  if (cur === undefined) return undefined;
  if (i === parts.length) return cur;
  const p = parts[i];
  if (p === '#') {
    if (!Array.isArray(cur)) return undefined;
    if (i === parts.length - 1) return cur.length;
    return cur.map((el) => walk(el, parts, i + 1)).filter((v) => v !== undefined);
  }
  if (p.startsWith('#(')) {
    if (!Array.isArray(cur)) return undefined;
    const all = p.endsWith(')#');
    const test = query(p.slice(2, all ? -2 : -1));
    if (all)
      return cur
        .filter(test)
        .map((el) => walk(el, parts, i + 1))
        .filter((v) => v !== undefined);
    const first = cur.find(test);
    return first === undefined ? undefined : walk(first, parts, i + 1);
  }
  if (cur === null || typeof cur !== 'object') return undefined;
  const key = unescape(p);
  if (Array.isArray(cur)) return /^\d+$/.test(key) ? walk(cur[Number(key)], parts, i + 1) : undefined;
  const obj = cur as Record<string, unknown>;
  if (/(^|[^\\])[*?]/.test(p)) {
    const re = likeRegExp(p);
    const k = Object.keys(obj).find((name) => re.test(name));
    return k === undefined ? undefined : walk(obj[k], parts, i + 1);
  }
  return Object.prototype.hasOwnProperty.call(obj, key) ? walk(obj[key], parts, i + 1) : undefined;
}

const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

/** `*` and `?` wildcards as a RegExp over the whole string. */
function likeRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, 's');
}
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A query condition `key op value` as a predicate over array elements. */
function query(q: string): (el: unknown) => boolean {
  const m = /^(.*?)(==|!=|<=|>=|!%|<|>|%)(.*)$/.exec(q);
  if (!m) {
    // `#(key)`: elements where the key exists
    const parts = splitPath(q.trim());
    return (el) => walk(el, parts, 0) !== undefined;
  }
  const [, rawKey, op, rawValue] = m;
  const keyParts = rawKey.trim() === '' ? [] : splitPath(rawKey.trim());
  let value: unknown;
  try {
    value = JSON.parse(rawValue.trim());
  } catch {
    throw new Error(`json(): the query value ${rawValue.trim()} is not a JSON literal ("text", 12, true, false, null)`);
  }
  return (el) => {
    const v = walk(el, keyParts, 0);
    if (v === undefined) return false;
    switch (op) {
      case '==':
        return v === value;
      case '!=':
        return v !== value;
      case '%':
        return typeof v === 'string' && likeRegExp(String(value)).test(v);
      case '!%':
        return typeof v === 'string' && !likeRegExp(String(value)).test(v);
      default: {
        if (typeof v !== typeof value || (typeof v !== 'number' && typeof v !== 'string')) return false;
        const a = v as number | string;
        const b = value as number | string;
        return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      }
    }
  };
}
