/**
 * Ctrl-C and SIGTERM for long commands, as k6 handles them: the first signal
 * asks for a graceful stop (the command finishes what it can and writes what
 * it measured); a second one stops at once (process exit hooks still stop
 * throw-away servers and the API child and remove their folders).
 */
import { ExitCode } from '../config/index.ts';

/** Installs the handlers; `dispose()` removes them. `signal` aborts on the first signal, with its name as reason. */
export function gracefulSignals(what: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      process.stderr.write(
        `\n${sig}: stopping ${what} gracefully and keeping what was measured (results marked ABORTED); ${sig} again stops at once\n`,
      );
      controller.abort(sig);
      return;
    }
    process.stderr.write(`${sig} again: stopping at once\n`);
    process.exit(ExitCode.ABORTED);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
