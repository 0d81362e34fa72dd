/**
 * Reads the acknowledged writes of a run from a k6 JSON output file
 * (`k6 run --out json=FILE`, one JSON object per line). The scenarios count
 * each acknowledged write on the Counter `acked_writes` with tags `kind` and
 * `client_request_id` (and `run_id`); k6 writes every sample as
 * `{"type":"Point","metric":"acked_writes","data":{"time":..,"value":1,"tags":{..}}}`
 * (k6 docs, "JSON output"). Metric lines and other metrics are skipped.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AcgsError } from '../config/index.ts';
import type { AckedWrite } from './types.ts';

/** The writes acknowledged in an NDJSON file, and the run id their tags carry. */
export async function readAcknowledgedWrites(
  ndjsonPath: string,
): Promise<{ runId?: string; acknowledged: AckedWrite[] }> {
  const acknowledged: AckedWrite[] = [];
  const seen = new Set<string>();
  let runId: string | undefined;
  const stream = createReadStream(ndjsonPath, 'utf8');
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    throw new AcgsError(
      'BAD_FLAG',
      `--acks '${ndjsonPath}' cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      {
        hint: "give the file written by k6 run --out json=FILE (or the run folder's k6 NDJSON)",
        cause: e,
      },
    );
  }
  let lineNo = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    lineNo++;
    // Cheap filter first: files hold millions of http_req_* points.
    if (!line.includes('"acked_writes"')) continue;
    let obj: { type?: string; metric?: string; data?: { value?: number; tags?: Record<string, string> } };
    try {
      obj = JSON.parse(line);
    } catch {
      throw new AcgsError('BAD_FLAG', `--acks '${ndjsonPath}' line ${lineNo} is not JSON`, {
        hint: 'the file must be k6 JSON output: one JSON object per line',
      });
    }
    if (obj.type !== 'Point' || obj.metric !== 'acked_writes') continue;
    const tags = obj.data?.tags ?? {};
    if (!tags.kind || !tags.client_request_id || !(Number(obj.data?.value) > 0)) continue;
    runId ??= tags.run_id;
    const id = `${tags.kind}\u0000${tags.client_request_id}`;
    if (seen.has(id)) continue;
    seen.add(id);
    acknowledged.push({ kind: tags.kind, clientRequestId: tags.client_request_id });
  }
  return runId === undefined ? { acknowledged } : { runId, acknowledged };
}
