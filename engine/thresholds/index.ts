/**
 * engine/thresholds: k6's threshold grammar, validation against the metric
 * registry, and evaluation during and at the end of a run. Pure.
 */
export { parseThresholdExpression, compare, type ThresholdExpr, type ThresholdOp } from './expression.ts';
export { parseThresholds, AGGREGATIONS, type ThresholdDef } from './parse.ts';
export { evaluateThresholds, aggregate, type ThresholdResult, type EvaluateOptions } from './evaluate.ts';
export { ThresholdError, K6_EXIT_INVALID_CONFIG, THRESHOLD_GRAMMAR_HINT } from './errors.ts';
