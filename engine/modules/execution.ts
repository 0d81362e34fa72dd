/**
 * The `k6/execution` module (k6 docs "k6/execution"; k6 source
 * js/modules/k6/execution/execution.go): information about the VU, the
 * scenario, the instance and the test, and test.abort().
 */
import type { VU } from '../vu.ts';
import { TestAbortError } from '../run-state.ts';
import { K6_EXIT_CODES } from '../exit-codes.ts';
import { esm } from './esm.ts';

/** Builds the `k6/execution` module for one VU. */
export function createExecutionModule(vu: VU, phase: () => string) {
  const run = vu.run;
  // Setting a tag changes the tags of every later sample of this VU.
  const tags = new Proxy(vu.userTags, {
    set(target, key, value) {
      if (typeof key !== 'string') return false;
      if (value !== null && typeof value === 'object')
        throw new Error(`only String, Boolean and Number types are accepted as a tag value, got "${key}"`);
      target[key] = String(value);
      vu.tagsChanged();
      return true;
    },
    deleteProperty(target, key) {
      delete target[key as string];
      vu.tagsChanged();
      return true;
    },
  });
  const metadata: Record<string, string> = {};

  const scenarioOrThrow = () => {
    if (!vu.scenario)
      throw new Error(`getting scenario information outside of the VU code (in ${phase()}) is not supported`);
    return vu.scenario;
  };

  const vuInfo = {
    get idInInstance() {
      return vu.idInInstance;
    },
    get idInTest() {
      return vu.idInTest;
    },
    get iterationInInstance() {
      return vu.iterationInInstance;
    },
    get iterationInScenario() {
      return vu.iterationInScenario;
    },
    get tags() {
      return tags;
    },
    metrics: {
      get tags() {
        return tags;
      },
      get metadata() {
        return metadata;
      },
    },
  };
  const scenario = {
    get name() {
      return scenarioOrThrow().name;
    },
    get executor() {
      return scenarioOrThrow().executor;
    },
    get startTime() {
      return scenarioOrThrow().startTime;
    },
    get progress() {
      return scenarioOrThrow().progress();
    },
    get iterationInInstance() {
      scenarioOrThrow();
      return vu.scenarioIteration;
    },
    get iterationInTest() {
      scenarioOrThrow();
      return vu.scenarioIteration;
    },
  };
  const instance = {
    get vusActive() {
      return run.vusActive;
    },
    get vusInitialized() {
      return run.vusInitialized;
    },
    get iterationsCompleted() {
      return run.iterationsCompleted;
    },
    get iterationsInterrupted() {
      return run.iterationsInterrupted;
    },
    get currentTestRunDuration() {
      return run.elapsedMs();
    },
  };
  const test = {
    get options() {
      return run.options;
    },
    /** Stops the whole test with exit code 108 (k6 `test.abort`). */
    abort(reason?: string): never {
      const err = new TestAbortError(reason === undefined ? '' : String(reason));
      run.stop({ exitCode: K6_EXIT_CODES.SCRIPT_ABORTED, message: err.message, duringSetup: phase() === 'setup' });
      throw err;
    },
    /** Marks the test failed; it goes on, and ends with exit code 110 (k6 `test.fail`). */
    fail(reason?: string): void {
      run.markedFailed = reason === undefined ? 'test marked as failed' : String(reason);
    },
  };
  return esm({ vu: vuInfo, scenario, instance, test });
}
