/**
 * The k6 build (engine/k6-build.ts): one bundle per scenario that parses as an ES
 * module, imports nothing but `k6` and `k6/*`, and exports what k6 needs; a
 * broken scenario or one importing a Node module fails the build.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_NAMES, configSchema } from '../config/schema.ts';
import {
  buildAll,
  buildScenario,
  ensureBundle,
  importedModules,
  scenarioDescription,
  scenarioNames,
} from '../engine/k6-build.ts';

const out = mkdtempSync(join(tmpdir(), 'acgs-k6-build-'));
let bundles: string[] = [];

beforeAll(async () => {
  bundles = await buildAll(out);
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The VU functions each scenario's options name (`exec`), or `default`. */
const VU_FUNCTIONS: Record<string, string[]> = {
  smoke: ['default'],
  'user-journey': ['default'],
  'write-contention': ['default'],
  'query-mix': ['simple', 'join', 'aggregation', 'complex', 'indexScan'],
  'cache-ops': ['sessions', 'config', 'decisions'],
  ladder: ['journey'],
};

/** Names the bundle exports (esbuild writes one `export { a, b as c };` statement). */
function exportsOf(code: string): string[] {
  const m = /export\s*\{([^}]*)\};?\s*(\/\/# sourceMappingURL=.*)?\s*$/.exec(code);
  if (!m) return [];
  return m[1]
    .split(',')
    .map(
      (s) =>
        s
          .trim()
          .split(/\s+as\s+/)
          .pop() as string,
    )
    .filter(Boolean);
}

describe('k6 build', () => {
  it('finds exactly the scenarios the configuration names', () => {
    expect(scenarioNames()).toEqual([...SCENARIO_NAMES].sort());
    expect(bundles.length).toBe(SCENARIO_NAMES.length);
  });

  it.each([...SCENARIO_NAMES])('%s parses as an ES module and imports only k6 modules', (name) => {
    const file = join(out, `${name}.js`);
    const code = readFileSync(file, 'utf8');
    const mjs = join(out, `${name}.check.mjs`);
    copyFileSync(file, mjs);
    execFileSync(process.execPath, ['--check', mjs]); // throws on a syntax error
    const imports = importedModules(code);
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports) expect(spec === 'k6' || spec.startsWith('k6/')).toBe(true);
    expect(code).toContain('sourceMappingURL=data:application/json;base64,');
    const exported = exportsOf(code);
    expect(exported).toContain('options');
    expect(exported).toContain('setup');
    expect(exported).toContain('description');
    for (const f of VU_FUNCTIONS[name]) expect(exported).toContain(f);
  });

  it("writes the configuration's default targets into every bundle (no second copy in scenarios/)", () => {
    const t = configSchema.parse({}).targets;
    for (const name of SCENARIO_NAMES) {
      const code = readFileSync(join(out, `${name}.js`), 'utf8');
      expect(code, name).not.toMatch(/= __ACGS_REPORT_TARGETS__/); // replaced at build time (esbuild keeps a comment naming it)
      expect(code, name).toContain(`cacheHitRate: ${t.cacheHitRate}`);
      expect(code, name).toContain(`avgQueryMs: ${t.avgQueryMs}`);
    }
  });

  it('reads the one-line descriptions', () => {
    for (const name of SCENARIO_NAMES) {
      const d = scenarioDescription(name);
      expect(d.length).toBeGreaterThan(10);
      expect(d).not.toContain('\n');
    }
  });

  it('rebuilds a missing bundle and keeps a fresh one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acgs-k6-ensure-'));
    try {
      const p = await ensureBundle('smoke', dir);
      const first = readFileSync(p, 'utf8');
      writeFileSync(p, first + '\n// kept\n');
      await ensureBundle('smoke', dir); // newer than every source: not rebuilt
      expect(readFileSync(p, 'utf8')).toContain('// kept');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('importedModules sees static, re-export and dynamic imports', () => {
    const code = `import a from "k6";\nimport { b } from 'k6/http';\nimport "./side.js";\nexport { c } from "fs";\nconst d = import("node:os");`;
    expect(importedModules(code)).toEqual(['./side.js', 'fs', 'k6', 'k6/http', 'node:os']);
  });
});

describe('k6 build failures', () => {
  const src = mkdtempSync(join(tmpdir(), 'acgs-k6-broken-'));
  mkdirSync(join(src, 'lib'));
  afterAll(() => rmSync(src, { recursive: true, force: true }));

  it('a syntax error fails the build with SCRIPT_ERROR naming the file', async () => {
    writeFileSync(join(src, 'broken.ts'), 'export default async function () { const x = ; }\n');
    await expect(buildScenario('broken', join(src, 'out'), src)).rejects.toMatchObject({
      kind: 'SCRIPT_ERROR',
      message: expect.stringContaining('broken.ts'),
    });
  });

  it('a Node import fails the build (k6 has no Node modules)', async () => {
    writeFileSync(
      join(src, 'nodey.ts'),
      "import { readFileSync } from 'node:fs';\nexport default function () { readFileSync('x'); }\n",
    );
    await expect(buildScenario('nodey', join(src, 'out'), src)).rejects.toMatchObject({ kind: 'SCRIPT_ERROR' });
  });
});
