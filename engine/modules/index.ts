/**
 * The module resolver of the main thread: the k6 built-ins of resolver.ts
 * plus k6/http with the engine's HTTP client.
 */
import type { ModuleResolver } from '../script-program.ts';
import { createHttpModule, type HttpSettings } from './http.ts';
import { BASE_MODULES, resolverOf } from './resolver.ts';

export { SUPPORTED_MODULES } from './resolver.ts';

/** A resolver for one test run. `phase` names the lifecycle stage (for error messages). */
export function moduleResolver(http: HttpSettings, phase: () => string): ModuleResolver {
  return resolverOf({ ...BASE_MODULES, 'k6/http': (vu) => createHttpModule(vu, http) }, phase);
}
