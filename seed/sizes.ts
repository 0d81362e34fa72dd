/**
 * Row counts per table for a scale factor. Scale 1 is about 100k rows in all
 * (the smoke dataset), 10 about 1M, 100 about 10M; the audit log is the
 * largest table. Fractional scales (0.05) make small test datasets; every
 * table keeps at least one row. static_config is a fixed set of keys.
 *
 * Child tables whose rows hang off a parent (votes, updates, rules, links)
 * get their exact count from the allocation in context.ts; the figures here
 * are their targets.
 */

/** Target rows at scale 1. */
export const BASE_ROWS = {
  users: 2000,
  user_sessions: 3000,
  auth_tokens: 3000,
  principles: 200,
  policy_templates: 50,
  policies: 1000,
  policy_updates: 1000,
  policy_principles: 3000,
  policy_rules: 5000,
  amendments: 1000,
  amendment_votes: 10000,
  amendment_comments: 3000,
  policy_decisions: 15000,
  compliance_checks: 5000,
  synthesis_results: 2000,
  audit_log: 50000,
} as const;

export type ScaledTable = keyof typeof BASE_ROWS;

/** Target row counts for `scale` (at least 1 each). */
export function targetRows(scale: number): Record<ScaledTable, number> {
  const out = {} as Record<ScaledTable, number>;
  for (const [t, n] of Object.entries(BASE_ROWS) as Array<[ScaledTable, number]>) {
    out[t] = Math.max(1, Math.round(n * scale));
  }
  // Principles are drawn without repetition per policy (up to 5 each) and
  // users per amendment vote; keep small scales workable.
  out.principles = Math.max(out.principles, 8);
  out.users = Math.max(out.users, 10);
  return out;
}
