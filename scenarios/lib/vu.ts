/**
 * Per-VU state and the shared setup(). k6 runs init code once per VU, so
 * module-level `let`s here are the VU's own; they are built lazily on the first
 * iteration because `exec.vu.idInTest` is only meaningful in VU code.
 */
import exec from 'k6/execution';
import { sleep } from 'k6';
import { type IdCatalog, ZipfPicker } from './ids.ts';
import { CacheModel } from './cache-model.ts';
import { createRng, mixSeed, type Rng } from './random.ts';
import type { Settings } from './settings.ts';

/** What setup() returns and every VU receives (JSON-serialised by k6). */
export interface SetupData {
  runId: string;
  ids: IdCatalog;
}

/** A VU's own context. */
export interface VuContext {
  settings: Settings;
  baseUrl: string;
  runId: string;
  ids: IdCatalog;
  vu: number;
  rng: Rng;
  zipf: ZipfPicker;
  /** Monotonic per VU: makes client request ids unique within the VU. */
  seq: number;
  /** Scratch space a scenario may keep between iterations (e.g. a VU's next voter index). */
  state: Record<string, number>;
  /** What this VU knows of the cache: which reads should hit (tags cache_hit). */
  cache: CacheModel;
}

let current: VuContext | undefined;

/** The VU's context, created on first use from setup()'s data. */
export function vuContext(settings: Settings, data: SetupData): VuContext {
  if (current) return current;
  const vu = exec.vu.idInTest;
  const rng = createRng(mixSeed(settings.seed, vu));
  current = {
    settings,
    baseUrl: settings.baseUrl,
    runId: data.runId,
    ids: data.ids,
    vu,
    rng,
    zipf: new ZipfPicker(rng, settings.zipfExponent),
    seq: 0,
    state: {},
    cache: new CacheModel(data.ids.warm, settings.cacheTtlSeconds),
  };
  return current;
}

/**
 * A client request id unique in the whole test: run id, the VU's id in the test
 * (unique across k6 instances), its iteration and a per-VU sequence number.
 */
export function nextClientRequestId(ctx: VuContext): string {
  ctx.seq += 1;
  return `${ctx.runId}-${ctx.vu}-${exec.vu.iterationInScenario}-${ctx.seq}`;
}

/**
 * Think time, uniform in [THINK_MIN_MS, THINK_MAX_MS]. `sleep` from 'k6' blocks
 * in real k6 (returns undefined, so `await` is a no-op) and returns a promise in
 * the embedded engine; `await sleep(x)` is correct in both.
 */
export async function think(ctx: VuContext): Promise<void> {
  const { thinkMinMs, thinkMaxMs } = ctx.settings;
  const ms = thinkMinMs + ctx.rng() * (thinkMaxMs - thinkMinMs);
  if (ms > 0) await sleep(ms / 1000);
}

/** A run id for runs started without RUN_ID: time plus randomness, made once in setup(). */
export function generateRunId(): string {
  return `k6-${Date.now().toString(36)}-${Math.floor(Math.random() * 0x100000).toString(36)}`;
}
