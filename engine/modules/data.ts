/**
 * The `k6/data` module: SharedArray (k6 docs "SharedArray"). The callback
 * runs once per test (in the first VU that declares the name); every VU gets
 * the same deeply frozen array, so memory does not grow with VUs.
 */
import type { VU } from '../vu.ts';
import { esm } from './esm.ts';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Builds the `k6/data` module for one VU. */
export function createDataModule(vu: VU) {
  const cache = vu.run.sharedArrays;
  // A constructor that returns the shared array itself (k6 returns a
  // read-only array-like proxy; a frozen array behaves the same for reads).
  function SharedArray(this: unknown, name: string, fn: () => unknown[]): readonly unknown[] {
    if (!new.target) throw new Error('SharedArray must be called with new');
    if (!vu.inInit) throw new Error('new SharedArray must be called in the init context');
    if (typeof name !== 'string' || name === '') throw new Error("empty name provided to SharedArray's constructor");
    let arr = cache.get(name);
    if (!arr) {
      if (typeof fn !== 'function') throw new Error('a function is expected as the second argument of SharedArray');
      const made = fn();
      if (!Array.isArray(made)) throw new Error('only arrays can be made into SharedArray');
      // JSON round trip, as k6 stores the data serialised.
      arr = deepFreeze(JSON.parse(JSON.stringify(made)) as unknown[]);
      cache.set(name, arr);
    }
    return arr;
  }
  return esm({ SharedArray });
}
