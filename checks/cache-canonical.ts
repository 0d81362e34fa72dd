/**
 * The fast road to the verdict "consistent" for an entity entry: the cached
 * bytes compared with the one text the scheme (docs/cache-keys.md) gives for
 * the row now in the database, without parsing the entry into objects.
 *
 * The text is built here from the row as the checker reads it (selectList of
 * encoding.ts), by the same rules as `encodeRow` in encoding.ts: this is the
 * oracle's own encoding, not the seed's or the target's. It only ever says
 * "consistent, no type issue" (when the bytes are exactly the canonical
 * envelope) or "don't know": every other entry goes through the full decoder
 * and classifier (cache-classify.ts), so the verdicts are the same ones, only
 * reached without a JSON.parse for the entries that agree byte for byte.
 *
 * Canonical: `{"v":<version>,"row":{<columns in the description's order>},"cachedAt":"<text>"}`
 * with JSON.stringify's text for each value. An encoder writing another key
 * order or spacing is still checked, through the slow road.
 */
import type { ColumnType, TableDescription } from '../schema/index.ts';
import { columnsOf } from './encoding.ts';

/** A row read with selectList, as an array in the order of columnsOf(table). */
export type RawRow = unknown[];

/**
 * Builds the canonical `"row":{...}` text of a row, or null when a value
 * cannot be judged by bytes alone (an integer beyond 15 digits, whose
 * safe-integer verdict only the classifier gives).
 */
export function canonicalRowText(table: TableDescription): (raw: RawRow) => string | null {
  const cols = columnsOf(table);
  const heads = cols.map(([c], i) => (i === 0 ? '{' : ',') + JSON.stringify(c) + ':');
  const types: ColumnType[] = cols.map(([, t]) => t);
  const n = cols.length;
  return (raw) => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const v = raw[i];
      let text: string;
      if (v === null || v === undefined) text = 'null';
      else
        switch (types[i]) {
          case 'bigint':
          case 'integer': {
            // PostgreSQL's integer text is JSON's number text below 2^53 (no sign, no leading zero).
            const t = v as string;
            if (t.length > 15) return null;
            text = t;
            break;
          }
          case 'numeric':
            // Digits, '.', '-', NaN, Infinity: nothing to escape.
            text = '"' + (v as string) + '"';
            break;
          case 'timestamptz':
            // 'YYYY-MM-DDTHH:MI:SS.uuuuuu' -> ISO with milliseconds, as encodeRow does.
            text = '"' + (v as string).slice(0, 23) + 'Z"';
            break;
          case 'boolean':
            text = v ? 'true' : 'false';
            break;
          default:
            // jsonb (parsed by node-pg), text, inet.
            text = JSON.stringify(v);
        }
      s += heads[i] + text;
    }
    return n === 0 ? '{}' : s + '}';
  };
}

const V_HEAD = '{"v":';
const ROW_HEAD = ',"row":';
const AT_HEAD = ',"cachedAt":"';

/**
 * True when `cached` is exactly the canonical envelope of a row whose text is
 * `rowText`: version `version` (or, for a table without a version column, any
 * JSON integer text that is a safe integer), and a cachedAt string with
 * nothing to unescape. Any other text returns false (not "inconsistent": the
 * caller then decodes and classifies it).
 */
export function isCanonicalEntity(cached: string, version: number | undefined, rowText: string): boolean {
  if (!cached.startsWith(V_HEAD)) return false;
  let i = V_HEAD.length;
  const vEnd = cached.indexOf(',', i);
  if (vEnd < 0) return false;
  const vText = cached.slice(i, vEnd);
  if (version !== undefined) {
    if (vText !== String(version)) return false;
  } else if (!/^-?(0|[1-9]\d{0,15})$/.test(vText) || !Number.isSafeInteger(Number(vText))) return false;
  i = vEnd;
  if (!cached.startsWith(ROW_HEAD, i)) return false;
  i += ROW_HEAD.length;
  if (!cached.startsWith(rowText, i)) return false;
  i += rowText.length;
  if (!cached.startsWith(AT_HEAD, i)) return false;
  i += AT_HEAD.length;
  const end = cached.length - 2;
  if (end < i || cached.charCodeAt(end) !== 34 /* " */ || cached.charCodeAt(end + 1) !== 125 /* } */) return false;
  for (let j = i; j < end; j++) {
    const c = cached.charCodeAt(j);
    // A quote ends the string early, a backslash escapes, control characters are not JSON.
    if (c === 34 || c === 92 || c < 32) return false;
  }
  return true;
}
