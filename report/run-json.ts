/**
 * The shape of results/<run-id>/run.json: every figure of the run with its
 * source, the report layout, the configuration without secrets, the
 * environment, the stages, and where the raw outputs are. Readers (report,
 * compare, baseline) accept only this schema id.
 */
import type { PoolSample } from '../measure/index.ts';
import type { Figure } from './figure.ts';
import type { Table } from './tables.ts';
import type { Verdict } from './verdicts.ts';

export type { PoolSample };

export const RUN_SCHEMA = 'acgs-load/run@1';

export interface RunEnvironment {
  node: string;
  platform: string;
  /** null where no file recorded it (a run merged from k6 instances). */
  cpus: number | null;
  cpuModel: string;
  memoryBytes: number | null;
  loadavgStart: number[];
  loadavgEnd: number[];
  pgVersion: string;
  redisVersion: string;
  services: { postgres: string; redis: string; target: string };
  /** The base URL the scenarios drove. */
  targetUrl?: string;
  /** What else shared the machine or the servers, as far as the suite can tell. */
  notes: string[];
  /**
   * The commit of the suite (and so of the reference API) the run was made
   * from, for `acgs-load history`; absent in runs written before it was
   * recorded, commit null where no source knew it.
   */
  git?: { commit: string | null; dirty: boolean | null; source: string };
}

export interface RunScenario {
  name: string;
  exitCode: number;
  engine: string;
  /** null where no file says (a run merged from k6 instances that do not report it). */
  engineLimited: boolean | null;
  durationS: number;
  startedAt: string;
  /** Paths relative to the results folder. */
  files: { summaryExport: string; summaryData: string; metrics: string };
}

export interface RunJson {
  schema: typeof RUN_SCHEMA;
  runId: string;
  profile: string;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  exitCode: number;
  verdict: string;
  /** Why the exit code is what it is, one line per reason. */
  reasons: string[];
  engine: string;
  config: unknown;
  environment: RunEnvironment;
  stages: Array<{ name: string; ms: number; ok: boolean; detail?: string }>;
  figures: Figure[];
  tables: Table[];
  /**
   * Every verdict the exit code, `reasons` and junit.xml were read from
   * (report/verdicts.ts). Absent in a run.json written before they were kept.
   */
  verdicts?: Verdict[];
  scenarios: RunScenario[];
  timeSeries: { pool: PoolSample[] };
  checks: unknown;
  plans: Array<{
    queryType: string;
    sql: string;
    usesIndex: boolean;
    executionMs: number | null;
    plan: string;
    /** The query type's declared index use and whether the plan met it (absent: not judged; null: no plan). */
    requires?: { tables: string[]; reason: string };
    verdict?: { ok: boolean; reads: string[]; missing: string[] } | null;
  }>;
  slowQueries: Array<{ query: string; calls: number; meanMs: number; totalMs: number }>;
}

/** Reads and checks a run.json text; throws an Error naming the problem. */
export function parseRunJson(text: string, file: string): RunJson {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`);
  }
  const d = data as Partial<RunJson>;
  if (d?.schema !== RUN_SCHEMA)
    throw new Error(`${file} is not an acgs-load run.json (schema '${String(d?.schema)}', expected '${RUN_SCHEMA}')`);
  if (!Array.isArray(d.figures) || !Array.isArray(d.tables)) throw new Error(`${file} has no figures/tables`);
  return d as RunJson;
}
