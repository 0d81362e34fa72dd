/**
 * When each fault of a run was in effect, for shading the charts. The
 * injector's own clock is in faults.json (FaultResult startedAt/endedAt,
 * epoch ms; the run pipeline writes it beside run.json). Without that file
 * (a results folder copied without it), the windows are the configuration's
 * plan (run.json config.faults, `atSeconds` after the scenarios started),
 * with the measured length of the fault's table when it has one, and faults
 * whose table says they were not injected left out.
 */
import type { FaultResult } from '../../faults/index.ts';
import type { RunJson } from '../run-json.ts';
import type { FaultWindow } from './run-series.ts';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The windows of faults.json's FaultResult[]; null when the value is not such a list. */
export function measuredFaultWindows(faults: unknown): FaultWindow[] | null {
  if (!Array.isArray(faults)) return null;
  const out: FaultWindow[] = [];
  for (const f of faults as Array<Partial<FaultResult>>) {
    if (!f || typeof f !== 'object' || typeof f.kind !== 'string') return null;
    const start = num(f.startedAt);
    if (!f.injected || start === null) continue;
    // A fault still in effect when the run ended has no end: it lasted at least its planned duration.
    const end = num(f.endedAt) ?? start + (num(f.durationSeconds) ?? 0) * 1000;
    out.push({ label: f.label ?? f.kind, kind: f.kind, startMs: start, endMs: Math.max(start, end), measured: true });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

interface PlannedLike {
  kind: string;
  atSeconds: number;
  durationSeconds: number;
}

/**
 * The configuration's faults placed after `originMs` (the scenarios' start,
 * where the fault schedule's clock starts). The label is the one the faults
 * and their tables carry (`kind@ATs:DURs`).
 */
export function plannedFaultWindows(run: RunJson, originMs: number): FaultWindow[] {
  const list = (run.config as { faults?: unknown } | null)?.faults;
  if (!Array.isArray(list)) return [];
  const planned = (list as Array<Partial<PlannedLike>>)
    .filter(
      (f): f is PlannedLike =>
        typeof f?.kind === 'string' && num(f.atSeconds) !== null && num(f.durationSeconds) !== null,
    )
    .sort((a, b) => a.atSeconds - b.atSeconds);
  const figures = new Map((run.figures ?? []).map((f) => [f.id, f]));
  const out: FaultWindow[] = [];
  planned.forEach((f, i) => {
    const label = `${f.kind}@${f.atSeconds}s:${f.durationSeconds}s`;
    const table = (run.tables ?? []).find((t) => t.title === `Fault ${i + 1}: ${label}`);
    if (table?.intro?.includes('NOT INJECTED')) return;
    const measuredS = num(figures.get(`fault.${i + 1}.${f.kind}.faultSeconds`)?.value);
    const startMs = originMs + f.atSeconds * 1000;
    out.push({
      label,
      kind: f.kind,
      startMs,
      endMs: startMs + (measuredS ?? f.durationSeconds) * 1000,
      measured: false,
    });
  });
  return out;
}

/** faults.json's windows when it has them, else the plan's. */
export function faultWindows(run: RunJson, faultsJson: unknown, originMs: number): FaultWindow[] {
  return measuredFaultWindows(faultsJson) ?? plannedFaultWindows(run, originMs);
}
