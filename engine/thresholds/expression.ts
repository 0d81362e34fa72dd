/**
 * Parsing one threshold expression, such as `p(95) < 200`
 * (k6 metrics/thresholds_parser.go; docs "Thresholds" > threshold syntax).
 *
 * Grammar (k6's BNF, with the scanning rules k6 applies):
 * ```
 * assertion          -> aggregation_method whitespace* operator whitespace* float
 * aggregation_method -> "count" | "rate" | "value" | "avg" | "min" | "max" | "med" | percentile
 * percentile         -> "p(" float ")"            0 <= float <= 100, no spaces inside
 * operator           -> ">" | ">=" | "<=" | "<" | "==" | "===" | "!="
 * float              -> a decimal number as Go strconv.ParseFloat reads it, without Inf, NaN or hex
 * whitespace         -> " "  (leading and trailing blanks are trimmed too)
 * ```
 * k6 scans for the operators in the order <=, <, >=, >, ===, ==, != and
 * splits at the first occurrence of the first that appears, so `p(95)<=200`
 * reads as `<=`, and `count===0` as `===`. Which aggregation a metric type
 * supports is checked later, against the registry (see parse.ts).
 */
import { ThresholdError } from './errors.ts';

/** A threshold comparison operator. */
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** A parsed threshold expression. */
export interface ThresholdExpr {
  /** `avg`, `min`, `max`, `med`, `count`, `rate`, `value` or `p(N)` as written. */
  aggregation: string;
  op: ThresholdOp;
  value: number;
  /** The expression as written in the script. */
  source: string;
  /** For `p(N)`: N/100; undefined for the other aggregations. */
  percentile?: number;
}

// Order matters: longer operators sharing a prefix with shorter ones first (k6 `operatorTokens`).
const OPERATORS: readonly ThresholdOp[] = ['<=', '<', '>=', '>', '===', '==', '!='];
const KEYWORDS = new Set(['value', 'count', 'rate', 'avg', 'min', 'med', 'max']);
const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parse an expression; throws a {@link ThresholdError} naming the expression and what is allowed. */
export function parseThresholdExpression(src: string): ThresholdExpr {
  if (typeof src !== 'string') {
    throw new ThresholdError([`threshold expression ${JSON.stringify(src)} is not a string; write e.g. 'p(95)<200'`]);
  }
  const op = OPERATORS.find((o) => src.includes(o));
  if (!op) {
    throw new ThresholdError([
      `failed parsing threshold expression "${src}"; reason: malformed threshold expression, no operator (one of < <= > >= == === !=)`,
    ]);
  }
  const at = src.indexOf(op);
  const method = src.slice(0, at).trim();
  const rhs = src.slice(at + op.length).trim();
  const expr: ThresholdExpr = { aggregation: method, op, value: Number.NaN, source: src };
  if (!KEYWORDS.has(method)) {
    const m = /^p\((.*)\)$/.exec(method);
    if (!m) {
      throw new ThresholdError([
        `failed parsing threshold expression's "${src}" left hand side; reason: '${method}' is not an aggregation method ` +
          '(count, rate, value, avg, min, max, med, p(N))',
      ]);
    }
    const n = FLOAT_RE.test(m[1]) ? Number(m[1]) : Number.NaN;
    if (!(n >= 0 && n <= 100)) {
      throw new ThresholdError([
        `failed parsing threshold expression's "${src}" left hand side; reason: malformed percentile value '${m[1]}', ` +
          'provide a number between 0 and 100',
      ]);
    }
    expr.percentile = n / 100;
  }
  if (!FLOAT_RE.test(rhs)) {
    throw new ThresholdError([
      `failed parsing threshold expression's "${src}" right hand side; reason: '${rhs}' is not a number`,
    ]);
  }
  expr.value = Number(rhs);
  return expr;
}

/** Apply the operator; `==` and `===` are the same on numbers (k6 `Threshold.runNoTaint`). */
export function compare(lhs: number, op: ThresholdOp, rhs: number): boolean {
  switch (op) {
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    case '>=':
      return lhs >= rhs;
    case '==':
    case '===':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
  }
}
