/**
 * The `k6` module: check, group, sleep, fail, randomSeed
 * (k6 docs "k6" JavaScript API; k6 source js/modules/k6/k6.go).
 */
import type { VU } from '../vu.ts';
import { esm, isAsyncFunction, isThenable } from './esm.ts';

const ASYNC_GROUP =
  'group() does not support async functions as arguments, see https://grafana.com/docs/k6/latest/javascript-api/k6/group/ (use plain code and tags, or run real k6)';
const ASYNC_CHECK =
  'check() does not support async functions or Promises as checks: await the value first, then check it';

/** A seeded generator for randomSeed(); k6 seeds the VU's Math.random the same way. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds the `k6` module for one VU. */
export function createK6Module(vu: VU) {
  const run = vu.run;

  /** k6 check(val, sets, tags): one `checks` sample per named check; true when all pass. */
  function check(val: unknown, sets: Record<string, unknown>, tags?: Record<string, unknown>): boolean {
    if (vu.inInit) throw new Error('check() can only be called from the VU code, not in the init context');
    let all = true;
    const now = Date.now();
    for (const name of Object.keys(sets ?? {})) {
      if (name.includes('::')) throw new Error(`check and group names may not contain '::', got "${name}"`);
      const fn = sets[name];
      if (isAsyncFunction(fn)) throw new Error(ASYNC_CHECK);
      const r = typeof fn === 'function' ? (fn as (v: unknown) => unknown)(val) : fn;
      if (isThenable(r)) throw new Error(ASYNC_CHECK);
      const pass = Boolean(r);
      if (!pass) all = false;
      if (vu.interrupted) continue;
      const t: Record<string, string> = { ...vu.tags(), check: name };
      if (tags) for (const k of Object.keys(tags)) t[k] = String(tags[k]);
      run.emit('checks', pass ? 1 : 0, t, now);
      run.groups.check(vu.groupPath, name, pass);
    }
    return all;
  }

  /** k6 group(name, fn): synchronous functions only, as in k6; emits group_duration. */
  function group<T>(name: string, fn: () => T): T {
    if (vu.inInit) throw new Error('group() can only be called from the VU code, not in the init context');
    if (typeof fn !== 'function') throw new Error('group() needs a function as its second argument');
    if (String(name).includes('::')) throw new Error(`check and group names may not contain '::', got "${name}"`);
    if (isAsyncFunction(fn)) throw new Error(ASYNC_GROUP);
    const parent = vu.groupPath;
    const g = run.groups.group(parent, String(name));
    vu.groupPath = g.path;
    vu.tagsChanged();
    const start = performance.now();
    try {
      const r = fn();
      if (isThenable(r)) throw new Error(ASYNC_GROUP);
      return r;
    } finally {
      if (!vu.interrupted) run.emit('group_duration', performance.now() - start, vu.tags());
      vu.groupPath = parent;
      vu.tagsChanged();
    }
  }

  /**
   * k6 sleep(seconds). The embedded engine cannot block the event loop, so
   * sleep returns a Promise: scripts write `await sleep(1)` (real k6 accepts
   * that too, awaiting `undefined`).
   */
  function sleep(seconds: number): Promise<void> {
    const ms = Number(seconds) * 1000;
    return vu.wait(Number.isFinite(ms) && ms > 0 ? ms : 0);
  }

  /** k6 fail(err): throws, ending the iteration (not the test). */
  function fail(err?: unknown): never {
    throw new Error(err === undefined ? 'fail' : String(err));
  }

  /** k6 randomSeed(int): makes this VU's Math.random reproducible. */
  function randomSeed(seed: number): void {
    vu.scope.random = mulberry32(Number(seed));
  }

  return esm({ check, group, sleep, fail, randomSeed });
}
