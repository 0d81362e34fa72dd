/**
 * The worker side of blocking: a call that waits for the main thread's answer
 * (`Atomics.wait` on the shared buffer, then `receiveMessageOnPort`), and a
 * sleep that blocks the VU and wakes early when the iteration is interrupted
 * (gracefulStop, iteration timeout, test abort).
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { IterationInterrupted } from '../run-state.ts';
import { SLOT, type Answer, type Up } from './protocol.ts';
import type { WorkerRun } from './worker-run.ts';

/** Blocking primitives of one worker. */
export class Blocker {
  /** Sequence number of the running iteration or call. */
  seq = 0;

  constructor(
    private readonly i32: Int32Array,
    private readonly down: MessagePort,
    private readonly run: WorkerRun,
  ) {}

  /** True once main interrupted the running iteration. */
  interrupted(): boolean {
    return this.seq > 0 && Atomics.load(this.i32, SLOT.INTERRUPT) >= this.seq;
  }

  /** Sends `m` (after the pending ops) and blocks until main answers. */
  call(m: Up): unknown {
    if (this.interrupted()) throw new IterationInterrupted();
    this.run.send(m);
    for (;;) {
      const got = receiveMessageOnPort(this.down);
      if (got) return unwrap(got.message as Answer);
      const v = Atomics.load(this.i32, SLOT.REPLY);
      const again = receiveMessageOnPort(this.down);
      if (again) return unwrap(again.message as Answer);
      Atomics.wait(this.i32, SLOT.REPLY, v);
    }
  }

  /** k6 sleep(): blocks this VU for `ms`; an interrupt ends it at once (k6 context cancel). */
  sleep(ms: number): void {
    const end = performance.now() + ms;
    for (;;) {
      if (this.interrupted()) throw new IterationInterrupted();
      const left = end - performance.now();
      if (left <= 0) return;
      const v = Atomics.load(this.i32, SLOT.INTERRUPT);
      if (this.seq > 0 && v >= this.seq) continue;
      Atomics.wait(this.i32, SLOT.INTERRUPT, v, left);
    }
  }
}

function unwrap(a: Answer): unknown {
  if (a.ok) return a.value;
  if (a.error.name === 'IterationInterrupted') throw new IterationInterrupted();
  const e = new Error(a.error.message);
  e.name = a.error.name;
  throw e;
}
