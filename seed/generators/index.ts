/**
 * Every table generator, in a loading order where parents come first (it
 * does not matter for COPY, which runs before the foreign keys exist, but it
 * reads naturally and keeps small tables first in progress output).
 */
import { amendmentComments, amendmentVotes, amendments } from './amendments.ts';
import { auditLog, complianceChecks, policyDecisions, synthesisResults } from './activity.ts';
import { policies, policyPrinciples, policyRules, policyTemplates, policyUpdates, principles } from './governance.ts';
import { authTokens, userSessions, users } from './people.ts';
import { staticConfig } from './static-config.ts';
import type { TableGenerator } from './types.ts';

export type { TableGenerator } from './types.ts';
export { staticConfigKey } from './static-config.ts';

export const GENERATORS: readonly TableGenerator[] = [
  users,
  userSessions,
  authTokens,
  principles,
  policyTemplates,
  policies,
  policyUpdates,
  policyPrinciples,
  policyRules,
  amendments,
  amendmentVotes,
  amendmentComments,
  policyDecisions,
  complianceChecks,
  synthesisResults,
  auditLog,
  staticConfig,
];
