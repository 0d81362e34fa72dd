/**
 * The `k6/timers` module: setTimeout, clearTimeout, setInterval,
 * clearInterval (k6 docs "k6/timers"). As in k6, the iteration does not end
 * while a timer of this module is pending (k6's event loop waits for them);
 * an interrupted iteration (gracefulStop, abort) cancels them.
 */
import type { VU } from '../vu.ts';
import { esm } from './esm.ts';

type Callback = (...args: unknown[]) => void;

/** Builds the `k6/timers` module for one VU. */
export function createTimersModule(vu: VU) {
  const active = new Map<number, () => void>();
  let nextId = 1;

  function start(fn: unknown, delay: unknown, args: unknown[], repeat: boolean): number {
    if (typeof fn !== 'function') throw new Error('setTimeout and setInterval need a function as first argument');
    const ms = Math.max(0, Number(delay) || 0);
    const id = nextId++;
    const run = (): void => {
      try {
        (fn as Callback)(...args);
      } catch (e) {
        vu.timerError(e);
      }
    };
    const t = repeat ? setInterval(run, ms) : setTimeout(() => (stop(), run()), ms);
    const stop = (): void => {
      if (!active.delete(id)) return;
      if (repeat) clearInterval(t);
      else clearTimeout(t);
      vu.timerEnded(cancel);
    };
    const cancel = (): void => stop();
    active.set(id, stop);
    vu.timerStarted(cancel);
    return id;
  }

  return esm({
    setTimeout: (fn: unknown, delay?: unknown, ...args: unknown[]) => start(fn, delay, args, false),
    setInterval: (fn: unknown, delay?: unknown, ...args: unknown[]) => start(fn, delay, args, true),
    clearTimeout: (id: unknown) => active.get(Number(id))?.(),
    clearInterval: (id: unknown) => active.get(Number(id))?.(),
  });
}
