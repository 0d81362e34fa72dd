/**
 * Pure policy evaluation: which rules of a policy match a request, and the
 * decision. Rules are evaluated in rule_order; the first matching rule decides
 * (its effect: allow, deny or require_review). With no match, an advisory
 * policy allows and a mandatory or critical one denies (default deny for
 * policies that must be enforced).
 *
 * A rule's `condition` is a JSON object; these keys are understood, any other
 * key is ignored (so conditions written for richer engines still evaluate):
 *   action / resource: string, equal to the request's (`*` matches anything)
 *   actions / resources: array of strings, one equal to the request's
 *   resourcePrefix: string, the request's resource starts with it
 *   minRole: citizen < delegate < reviewer < admin; the subject's role is at least it
 * A condition with none of these keys matches every request.
 */

export interface RuleForEvaluation {
  id: number;
  name: string;
  condition: unknown;
  effect: string;
}

export interface EvaluationRequest {
  action: string;
  resource: string;
  /** The subject's users.role. */
  role?: string;
}

/** Role order for `minRole` (users.role CHECK constraint). */
export const ROLE_RANK: Record<string, number> = { citizen: 0, delegate: 1, reviewer: 2, admin: 3 };

export interface Evaluation {
  decision: 'allow' | 'deny' | 'require_review';
  reasons: Array<{ ruleId: number | null; rule: string; effect: string; matched: boolean }>;
  evaluatedRules: number;
}

function eq(expected: unknown, actual: string): boolean {
  return typeof expected === 'string' && (expected === '*' || expected === actual);
}

function inList(expected: unknown, actual: string): boolean {
  return Array.isArray(expected) && expected.some((e) => eq(e, actual));
}

/** True when `condition` matches the request. */
export function conditionMatches(condition: unknown, req: EvaluationRequest): boolean {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return true;
  const c = condition as Record<string, unknown>;
  if ('action' in c && !eq(c.action, req.action)) return false;
  if ('resource' in c && !eq(c.resource, req.resource)) return false;
  if ('actions' in c && !inList(c.actions, req.action)) return false;
  if ('resources' in c && !inList(c.resources, req.resource)) return false;
  if ('minRole' in c) {
    const need = typeof c.minRole === 'string' ? ROLE_RANK[c.minRole] : undefined;
    const have = req.role === undefined ? undefined : ROLE_RANK[req.role];
    if (need !== undefined && (have === undefined || have < need)) return false;
  }
  if ('resourcePrefix' in c && !(typeof c.resourcePrefix === 'string' && req.resource.startsWith(c.resourcePrefix)))
    return false;
  return true;
}

/** Evaluates rules (already in rule_order) for a request. */
export function evaluate(
  rules: readonly RuleForEvaluation[],
  enforcementLevel: string,
  req: EvaluationRequest,
): Evaluation {
  const reasons: Evaluation['reasons'] = [];
  for (const rule of rules) {
    const matched = conditionMatches(rule.condition, req);
    if (matched && (rule.effect === 'allow' || rule.effect === 'deny' || rule.effect === 'require_review')) {
      reasons.push({ ruleId: rule.id, rule: rule.name, effect: rule.effect, matched: true });
      return { decision: rule.effect, reasons, evaluatedRules: reasons.length };
    }
    reasons.push({ ruleId: rule.id, rule: rule.name, effect: rule.effect, matched: false });
  }
  const decision = enforcementLevel === 'advisory' ? 'allow' : 'deny';
  reasons.push({ ruleId: null, rule: `default for ${enforcementLevel} policy`, effect: decision, matched: true });
  return { decision, reasons, evaluatedRules: rules.length };
}
