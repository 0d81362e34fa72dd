/**
 * The scenarios a figure's value comes from, so that compare judges a
 * figure only against runs whose value came from the same scenarios.
 * Adding a scenario to a run (or to the profile's targets.judgedOn) must
 * not move the comparison of the figures it does not feed: those keep their
 * scope, and their verdict, exactly; a figure whose scope changed is
 * reported as incomparable instead of being judged on different samples.
 *
 *   query.<type>.{avg,p50,p95,p99,count}, query.all.avg   targets.judgedOn.queryTypes
 *   cache.<op>.{avg,p95,count}, cache.all.avg,
 *   cache.hitRate, cache.hitRate.all, cache.miss.<cause>  targets.judgedOn.cache
 *   query.scenario.<sc>.*, scenario.<sc>.*           scenario <sc>
 *   ladder.*                                          scenario ladder
 *   anything else (server-side counters, the API's /metrics, checkers)   every scenario of the run
 *
 * The judged sets follow report/figures (judgedScenarioNames): the profile's
 * targets.judgedOn, else every scenario that ran but smoke, else smoke.
 */
import { QUERY_TYPES } from '../../config/index.ts';
import { judgedScenarioNames } from '../figures/inputs.ts';
import type { RunJson } from '../run-json.ts';

const TYPES = QUERY_TYPES.join('|');
const JUDGED_QUERY = new RegExp(`^query\\.(${TYPES})\\.(avg|p50|p95|p99|count)$|^query\\.all\\.avg$`);
const JUDGED_CACHE =
  /^cache\.(get|set|del|exists)\.(avg|p95|count)$|^cache\.all\.avg$|^cache\.hitRate(\.all)?$|^cache\.miss\.[a-z_]+$/;
const PER_SCENARIO = /^(?:query\.scenario|scenario)\.([^.]+)\./;

type JudgedOn = { queryTypes?: string[]; cache?: string[] } | undefined;

/** The run's scenarios and its profile's targets.judgedOn, as run.json keeps them. */
function runScenarios(run: Pick<RunJson, 'scenarios' | 'config'>): { ran: string[]; judgedOn: JudgedOn } {
  const ran = (run.scenarios ?? []).map((s) => s.name);
  const judgedOn = (run.config as { targets?: { judgedOn?: JudgedOn } } | null)?.targets?.judgedOn;
  return { ran, judgedOn };
}

/** The scenarios figure `id` of `run` was measured on, sorted (see the file comment). */
export function scopeOf(id: string, run: Pick<RunJson, 'scenarios' | 'config'>): string[] {
  const { ran, judgedOn } = runScenarios(run);
  const sorted = (names: string[]) => [...new Set(names)].sort();
  const own = PER_SCENARIO.exec(id);
  if (own) return [own[1]];
  if (id.startsWith('ladder.')) return ['ladder'];
  if (JUDGED_QUERY.test(id)) return sorted(judgedScenarioNames(ran, judgedOn?.queryTypes));
  if (JUDGED_CACHE.test(id)) return sorted(judgedScenarioNames(ran, judgedOn?.cache));
  return sorted(ran);
}

/** Whether two scopes name the same scenarios (null: not recorded, as in a baseline file of schema 1). */
export function sameScope(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return true;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A scope as text: "query-mix, user-journey" or "no scenario". */
export function scopeText(s: readonly string[]): string {
  return s.length ? s.join(', ') : 'no scenario';
}
