/**
 * How many users, for how long: a closed-model scenario built from the profile
 * (VUS / DURATION_SECONDS for soak, STAGES for spike), so soak and spike are
 * settings of the same script, not copies of it. Pure.
 */
import type { Scenario } from 'k6/options';
import { scaled, type Settings } from './settings.ts';

/** A closed-model scenario: ramping-vus when STAGES is set, else constant-vus. */
export function closedModel(
  settings: Settings,
  defaults: { vus: number; seconds: number },
  extra: Partial<Scenario> = {},
): Scenario {
  if (settings.stages) {
    return {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: settings.stages.map((s) => ({ duration: scaled(settings, s.durationSeconds), target: s.target })),
      gracefulRampDown: '5s',
      gracefulStop: '5s',
      ...extra,
    } as Scenario;
  }
  return {
    executor: 'constant-vus',
    vus: settings.vus ?? defaults.vus,
    duration: scaled(settings, settings.durationSeconds ?? defaults.seconds),
    gracefulStop: '5s',
    ...extra,
  } as Scenario;
}

/** The most VUs the closed-model scenario will run (partitioning needs it). */
export function closedModelMaxVus(settings: Settings, defaults: { vus: number }): number {
  if (settings.stages) return Math.max(1, ...settings.stages.map((s) => s.target));
  return settings.vus ?? defaults.vus;
}
