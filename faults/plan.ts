/**
 * Before any load: which faults this run may inject, and with what. A fault
 * that would stop or slow a server the run did not start, and for which the
 * profile names no stop/start commands, is refused (AcgsError FAULT_REFUSED,
 * exit code 6) with the fix; so is pool-exhaust against a deployment at
 * --base-url (it needs the target the run starts, in the run's database), and
 * faults that overlap in time (their effects could not be told apart).
 */
import { AcgsError, type Config } from '../config/index.ts';
import { faultLabel, type FaultSpec } from './parse.ts';
import type { ServerControl } from './server-control.ts';

/** A fault the run may inject, with the control it needs (if any). */
export interface PlannedFault extends FaultSpec {
  label: string;
  control: ServerControl | null;
}

const FIX: Record<'postgres' | 'redis', string> = {
  postgres:
    'run with --profile chaos or --throwaway-services (services.throwaway: the run starts its own servers), or set services.postgres.stopCommand and startCommand in the profile',
  redis:
    'run with --profile chaos or --throwaway-services (services.throwaway: the run starts its own servers), or set services.redis.stopCommand and startCommand in the profile',
};

/** Checks every configured fault; throws FAULT_REFUSED or BAD_CONFIG naming the first problem. */
export function planFaults(
  config: Readonly<Config>,
  controls: { postgres: ServerControl | null; redis: ServerControl | null },
  source: { postgres: string; redis: string },
): PlannedFault[] {
  const planned: PlannedFault[] = [];
  for (const f of config.faults) {
    const label = faultLabel(f);
    if (f.kind === 'pool-exhaust') {
      if (config.api.baseUrl) {
        throw new AcgsError(
          'FAULT_REFUSED',
          `fault ${label} refused: pool-exhaust needs the target this run starts, but --base-url points at ${new URL(config.api.baseUrl).origin}`,
          {
            hint: 'leave --base-url out for fault runs (the run starts the target itself), or drop the pool-exhaust fault',
          },
        );
      }
      planned.push({ ...f, label, control: null });
      continue;
    }
    const server = f.kind === 'postgres-restart' ? 'postgres' : 'redis';
    const control = controls[server];
    if (!control) {
      const name = server === 'postgres' ? 'PostgreSQL' : 'Redis';
      throw new AcgsError(
        'FAULT_REFUSED',
        `fault ${label} refused: the ${name} server is ${source[server] === 'env' ? 'given by URL' : `a ${source[server]} server`} the suite did not start, and the profile names no commands to stop and start it`,
        {
          hint: FIX[server],
        },
      );
    }
    planned.push({ ...f, label, control });
  }
  planned.sort((a, b) => a.atSeconds - b.atSeconds);
  for (let i = 1; i < planned.length; i++) {
    const prev = planned[i - 1];
    if (planned[i].atSeconds < prev.atSeconds + prev.durationSeconds) {
      throw new AcgsError('BAD_CONFIG', `faults ${prev.label} and ${planned[i].label} overlap in time`, {
        hint: 'start each fault after the previous one ends (leave time to recover between them)',
      });
    }
  }
  return planned;
}
