/**
 * Writing the end-of-test outputs (k6 docs "End-of-test summary"): the
 * result of the script's handleSummary(data) - `stdout`, `stderr`, or a file
 * path per key - or, without handleSummary, the text summary on stdout; plus
 * `--summary-export` either way. A failing handleSummary is logged and the
 * default summary printed instead, as k6 does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { textSummary, summaryExportJson, type SummaryData } from './summary/index.ts';
import type { EngineLogger } from './logger.ts';
import { type VU, errorText } from './vu.ts';
import { engineLimitedText, type EngineReport } from './self-monitor.ts';
import type { K6RunOptions } from './types.ts';

function writeFile(path: string, content: unknown): void {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  if (typeof content === 'string') writeFileSync(abs, content);
  else if (content instanceof ArrayBuffer || Object.prototype.toString.call(content) === '[object ArrayBuffer]')
    writeFileSync(abs, Buffer.from(content as ArrayBuffer));
  else if (ArrayBuffer.isView(content))
    writeFileSync(abs, Buffer.from(content.buffer, content.byteOffset, content.byteLength));
  else writeFileSync(abs, String(content));
}

/** Writes handleSummary's outputs or the text summary, and the summary export. */
export async function writeSummaryOutputs(
  vu0: VU,
  data: SummaryData,
  engine: EngineReport,
  opts: K6RunOptions,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  logger: EngineLogger,
): Promise<void> {
  if (opts.summaryExport) writeFile(opts.summaryExport, summaryExportJson(data) + '\n');
  const handle = vu0.exports.handleSummary;
  if (typeof handle === 'function') {
    try {
      // handleSummary gets its own copy, as the JS runtime gets in k6
      const result = (await (handle as (d: unknown) => unknown)(JSON.parse(JSON.stringify(data)))) as
        Record<string, unknown> | undefined;
      for (const [key, content] of Object.entries(result ?? {})) {
        if (key === 'stdout') stdout.write(String(content));
        else if (key === 'stderr') stderr.write(String(content));
        else writeFile(key, content);
      }
      if (engine.limited) logger.log('warning', engineLimitedText(engine).trim());
      return;
    } catch (e) {
      logger.log('error', `failed to handle the end-of-test summary: ${errorText(e)}`);
    }
  }
  const colors = (stdout as { isTTY?: boolean }).isTTY === true && !data.options.noColor;
  stdout.write(
    `\n${textSummary(data, { indent: ' ', enableColors: colors })}\n${engine.limited ? engineLimitedText(engine) : ''}\n`,
  );
}
