/**
 * The error every threshold problem is reported with. It is an AcgsError
 * (kind BAD_CONFIG) so the CLI prints it without a stack, and carries k6's
 * exit code for an invalid configuration (104, k6 errext/exitcodes/codes.go
 * `InvalidConfig`) for the `k6 run` command to use.
 */
import { AcgsError } from '../../config/index.ts';

/** k6's exit code for invalid options, including thresholds. */
export const K6_EXIT_INVALID_CONFIG = 104;

/** The threshold grammar in one line, shown as the hint of every threshold error. */
export const THRESHOLD_GRAMMAR_HINT =
  "write '<aggregation> <op> <number>': counter: count, rate; gauge: value; rate: rate; " +
  'trend: avg, min, max, med, p(N) with 0<=N<=100; op: < <= > >= == === !=; ' +
  "e.g. thresholds: { 'http_req_duration{status:200}': ['p(95)<500'] }";

/** One or more invalid thresholds; `problems` lists each, as k6 words them. */
export class ThresholdError extends AcgsError {
  readonly problems: readonly string[];
  readonly k6ExitCode = K6_EXIT_INVALID_CONFIG;

  constructor(problems: string[]) {
    const message =
      problems.length === 1 ? problems[0] : `${problems.length} invalid thresholds: ${problems.join('; ')}`;
    super('BAD_CONFIG', message, { hint: THRESHOLD_GRAMMAR_HINT, details: problems.length > 1 ? problems : [] });
    this.name = 'ThresholdError';
    this.problems = problems;
  }
}
