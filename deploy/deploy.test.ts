import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instanceFiles } from '../report/ndjson/index.ts';
import { main } from '../cli/main.ts';

const read = (f: string) => readFileSync(new URL(f, import.meta.url), 'utf8');

describe('deploy/k6-operator', () => {
  const testrun = read('./k6-operator/testrun.yaml');

  it('is a TestRun of 4 runners with the script from a ConfigMap, BASE_URL and RUN_ID, and per-pod outputs', () => {
    expect(testrun).toMatch(/^apiVersion: k6\.io\/v1alpha1\nkind: TestRun$/m);
    expect(testrun).toMatch(/^ {2}parallelism: 4$/m);
    expect(testrun).toMatch(/script:\n\s+configMap:\n\s+name: acgs-load-ladder\n\s+file: ladder\.js/);
    expect(testrun).toMatch(/- name: BASE_URL\n\s+value: http/);
    expect(testrun).toMatch(/- name: RUN_ID\n/);
    expect(testrun).toContain('subPathExpr: $(POD_NAME)');
  });

  it('names its outputs so that `acgs-load report --merge` finds them', () => {
    const out = /--out json=\/results\/([^\s]+)/.exec(testrun)![1];
    const exp = /--summary-export=\/results\/([^\s]+)/.exec(testrun)![1];
    const pod = mkdtempSync(join(tmpdir(), 'acgs-pod-'));
    try {
      writeFileSync(join(pod, out), '');
      writeFileSync(join(pod, exp), '{}');
      const [files] = instanceFiles(pod);
      expect(files.name).toBe('ladder');
      expect(files.metrics).toBe(join(pod, out));
      expect(files.summaryExport).toBe(join(pod, exp));
    } finally {
      rmSync(pod, { recursive: true, force: true });
    }
  });

  it('documents only commands and flags the CLI has', async () => {
    const guide = read('./k6-operator/README.md');
    for (const cmd of ['report', 'check', 'compare']) expect(guide).toContain(`bin/acgs-load.js ${cmd}`);
    let help = '';
    const spy = (s: string | Uint8Array) => ((help += String(s)), true);
    const o = process.stdout.write;
    process.stdout.write = spy as typeof process.stdout.write;
    try {
      for (const cmd of ['report', 'check', 'compare']) await main(['node', 'acgs-load', cmd, '--help']);
    } finally {
      process.stdout.write = o;
    }
    for (const flag of ['--merge', '--checks', '--profile', '--run-id', '--acks', '--json', '--baseline'])
      expect(help).toContain(flag);
  });
});

describe('deploy/ci/nightly.yml', () => {
  const wf = read('./ci/nightly.yml');
  it('runs the nightly profile on its own services and fails on regression', () => {
    expect(wf).toMatch(/services:\n\s+postgres:\n\s+image: postgres:15/);
    expect(wf).toMatch(/redis:\n\s+image: redis:7/);
    expect(wf).toContain("shared_preload_libraries = 'pg_stat_statements'");
    expect(wf).toContain('run: npm ci');
    expect(wf).toContain('node bin/acgs-load.js run --profile nightly --baseline baseline.json');
    expect(wf).toContain('uses: actions/upload-artifact@v4');
    expect(wf).toContain('compare results/latest --baseline baseline.json --markdown');
    expect(wf).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(wf).toMatch(/outputs\.code }}" = "7" \]; then .*exit 7/);
  });
});
