/**
 * The messages between the main thread and a sync VU's worker thread, and
 * the slots of the SharedArrayBuffer they block on.
 *
 * main -> worker: `parentPort` carries commands (iterate, call); the `down`
 * port carries the answers to the worker's blocking calls, which the worker
 * reads with `receiveMessageOnPort` after `Atomics.wait` wakes it.
 * worker -> main: the `up` port carries everything, in order: batched samples
 * and group/check records, log lines, blocking calls, iteration results.
 */
import type { Tags } from '../metrics/index.ts';
import type { ScenarioRuntime } from '../vu.ts';

/** Int32 slots of the shared buffer. */
export const SLOT = {
  /** Bumped by main after it posted an answer on `down`. */
  REPLY: 0,
  /** Sequence number of the latest interrupted iteration (or call). */
  INTERRUPT: 1,
  /** 0 while the worker runs init code, 1 once it answered on `up`. */
  INIT: 2,
} as const;
export const SLOTS = 4;

/** A record of the script's effect on the run, applied by main in order. */
export type Op =
  | ['s', metric: string, value: number, tags: Tags, time: number]
  | ['d', name: string, type: string, contains: string]
  | ['g', parent: string, name: string]
  | ['c', group: string, name: string, pass: boolean]
  | ['x', exitCode: number, message: string, duringSetup: boolean]
  | ['f', reason: string];

/** One request as `http.request(method, url, body, params)` takes it. */
export type RequestCall = [method: string, url: unknown, body: unknown, params: unknown];

/** An error as it crosses threads. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

/** What main needs to know about the scenario the VU runs for (sent when it changes). */
export type WireScenario = Pick<ScenarioRuntime, 'name' | 'executor' | 'startTime' | 'tags' | 'env' | 'exec'>;

/** main -> worker commands. */
export type Command =
  | {
      t: 'iter';
      seq: number;
      exec: string;
      iter: number;
      iterationInScenario: number;
      iterationInInstance: number;
      scenarioIteration: number;
      progress: number;
      scenario?: WireScenario;
      setupDataJson?: string;
      instance: InstanceCounters;
    }
  | { t: 'call'; seq: number; name: string; args: unknown[]; instance: InstanceCounters };

/** k6/execution's instance counters, as of the start of the iteration. */
export interface InstanceCounters {
  vusActive: number;
  vusInitialized: number;
  iterationsCompleted: number;
  iterationsInterrupted: number;
  startMs: number;
}

/**
 * worker -> main messages on `up`. Any message may carry the ops recorded
 * before it (`ops`), applied first: one message per blocking call or
 * iteration end instead of two.
 */
export type Up = UpBody & { ops?: Op[] };
type UpBody =
  | { t: 'ops'; ops: Op[] }
  | {
      t: 'log';
      level: 'debug' | 'info' | 'warning' | 'error';
      msg: string;
      fields?: Record<string, unknown>;
      once?: string;
    }
  | { t: 'console'; level: 'debug' | 'info' | 'warning' | 'error'; text: string }
  | { t: 'ready'; functions: string[] }
  | { t: 'initError'; error: WireError }
  | { t: 'http'; group: string; userTags: Tags; calls: RequestCall[] }
  | { t: 'done'; seq: number; durationMs: number; userTags: Tags; error?: WireError; result?: string };

/** main -> worker answer on `down` to a blocking call. */
export type Answer = { ok: true; value: unknown } | { ok: false; error: WireError };

/** What the worker starts with. */
export interface WorkerInit {
  source: string;
  entry: string;
  id: number;
  env: Record<string, string>;
  options: Record<string, unknown>;
  globalTags: Tags;
  sab: SharedArrayBuffer;
  up: MessagePort;
  down: MessagePort;
}

/** Serialises an error for postMessage. */
export function wireError(e: unknown): WireError {
  if (e && typeof e === 'object' && 'message' in e) {
    const err = e as Error;
    return { name: String(err.name ?? 'Error'), message: String(err.message), stack: err.stack };
  }
  return { name: 'Error', message: String(e) };
}

type MessagePort = import('node:worker_threads').MessagePort;
