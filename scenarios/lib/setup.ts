/**
 * The shared setup(): asks the target which ids exist (GET /api/v1/ids) and
 * fixes the run id, so scripts need no database access and every VU writes
 * under the same run id (init code runs once per VU, so a run id generated
 * there would differ per VU).
 */
import http from 'k6/http';
import { normalizeCatalog } from './ids.ts';
import type { Settings } from './settings.ts';
import { generateRunId, type SetupData } from './vu.ts';

/** Fetches the id catalog; throws (failing setup, as k6 does) when the target does not answer. */
export async function fetchSetupData(settings: Settings): Promise<SetupData> {
  const url = `${settings.baseUrl}/api/v1/ids`;
  const res = await http.asyncRequest('GET', url, null, { tags: { name: 'GET /ids' }, timeout: '30s' });
  if (res.status !== 200) {
    const why = res.error ? `${res.error}` : `status ${res.status}`;
    throw new Error(
      `BASE_URL ${settings.baseUrl} did not answer GET /api/v1/ids (${why}); is the target running there?`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(String(res.body));
  } catch {
    throw new Error(`GET ${url} did not return JSON; is BASE_URL pointing at the governance API?`);
  }
  return { runId: settings.runId ?? generateRunId(), ids: normalizeCatalog(body) };
}
