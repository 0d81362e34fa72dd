/**
 * The import boundaries of docs/architecture.md (.dependency-cruiser.cjs) can
 * fail: a tree that breaks each rule on purpose is refused, naming the rule;
 * the project's own tree passes (the test command runs the same check).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the boundary check over a tree of `files` (path -> source) in a temporary folder. */
function cruise(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'acgs-boundaries-'));
  dirs.push(dir);
  for (const [path, src] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), src);
  }
  const top = [...new Set(Object.keys(files).map((p) => p.split('/')[0]))];
  const r = spawnSync(DEPCRUISE, ['--config', CONFIG, '--output-type', 'err', ...top], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('import boundaries', () => {
  it('refuse a lower folder importing a higher one (an arrow pointing back)', () => {
    const r = cruise({
      'config/index.ts': "export { x } from './x.ts';",
      'config/x.ts': "import { figure } from '../report/index.ts';\nexport const x = figure;",
      'report/index.ts': 'export const figure = 1;',
    });
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('config-imports-only-its-layers: config/x.ts → report/index.ts');
  });

  it("refuse an import of another folder's internal file", () => {
    const r = cruise({
      'report/index.ts': "export { y } from './y.ts';",
      'report/y.ts': "import { t } from '../measure/internal.ts';\nexport const y = t;",
      'measure/index.ts': "export { t } from './internal.ts';",
      'measure/internal.ts': 'export const t = 1;',
    });
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('only-through-index: report/y.ts → measure/internal.ts');
  });

  it('refuse the oracle importing what it checks', () => {
    const r = cruise({
      'checks/index.ts': "import { encode } from '../seed/index.ts';\nexport const c = encode;",
      'seed/index.ts': 'export const encode = 1;',
    });
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('checks-imports-only-its-layers: checks/index.ts → seed/index.ts');
  });

  it('accept imports along the layers, through index.ts; tests may import anything', () => {
    const r = cruise({
      'report/index.ts': "import { t } from '../measure/index.ts';\nexport const y = t;",
      'report/y.test.ts': "import { t } from '../measure/internal.ts';\nexport const z = t;",
      'measure/index.ts': "export { t } from './internal.ts';",
      'measure/internal.ts': 'export const t = 1;',
    });
    expect(r.out).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  });
});
