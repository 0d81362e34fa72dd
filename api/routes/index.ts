/** Registers every route of the contract (docs/api.md). */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './_shared.ts';
import { registerAmendmentRoutes } from './amendments.ts';
import { registerAuditRoutes } from './audit.ts';
import { registerDecisionRoutes } from './decisions.ts';
import { registerIdsRoutes } from './ids.ts';
import { registerPolicyRoutes } from './policies.ts';
import { registerPrincipleRoutes } from './principles.ts';
import { registerSessionRoutes } from './sessions.ts';
import { registerSynthesisRoutes } from './synthesis.ts';
import { registerSystemRoutes, type SystemDeps } from './system.ts';

export type { RouteDeps } from './_shared.ts';
export type { SystemDeps } from './system.ts';

export function registerRoutes(app: FastifyInstance, deps: RouteDeps, system: SystemDeps): void {
  registerSystemRoutes(app, system);
  registerIdsRoutes(app, deps);
  registerPrincipleRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  registerAmendmentRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerDecisionRoutes(app, deps);
  registerSynthesisRoutes(app, deps);
  registerSessionRoutes(app, deps);
}
