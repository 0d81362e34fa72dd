import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { instanceFiles } from '../report/ndjson/index.ts';
import { main } from '../cli/main.ts';

const read = (f: string) => readFileSync(new URL(f, import.meta.url), 'utf8');
const ROOT = fileURLToPath(new URL('..', import.meta.url));

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
    expect(wf).toContain('uses: actions/upload-artifact@v4');
    // the steps' shell is deploy/ci/nightly-steps.sh (deploy/nightly-workflow.test.ts runs it)
    for (const step of ['baseline', 'run', 'keep', 'compare', 'history'])
      expect(wf).toContain(`run: bash deploy/ci/nightly-steps.sh ${step}`);
    const steps = read('./ci/nightly-steps.sh');
    expect(steps).toContain('NIGHTLY_PROFILE=${NIGHTLY_PROFILE:-nightly}');
    expect(steps).toContain('run --profile "$NIGHTLY_PROFILE" --baseline "$BASELINE_FILE"');
    expect(steps).toContain('compare "$dir" --baseline "$BASELINE_FILE" --markdown');
    expect(steps).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(wf).toMatch(/outputs\.code }}" = "7" \]; then .*exit 7/);
  });
});

// ---------------------------------------------------------------------------
// deploy/k6-operator/testrun.yaml against the k6-operator's own CRD
// (deploy/vendor/README.md says where the vendored file comes from).

type Schema = AnySchemaObject;

/**
 * The CRD's openAPIV3Schema as the API server applies it with strict field
 * validation (kubectl's default): an object schema that names its properties
 * and neither allows others (additionalProperties) nor keeps unknown ones
 * (x-kubernetes-preserve-unknown-fields) refuses any other field.
 */
function strictFields(s: Schema): Schema {
  const out: Schema = { ...s };
  if (s.properties) {
    const props = Object.entries(s.properties as Record<string, Schema>);
    out.properties = Object.fromEntries(props.map(([k, v]) => [k, strictFields(v)]));
  }
  if (s.items) out.items = strictFields(s.items as Schema);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    out.additionalProperties = strictFields(s.additionalProperties as Schema);
  }
  for (const k of ['anyOf', 'allOf', 'oneOf']) if (Array.isArray(s[k])) out[k] = (s[k] as Schema[]).map(strictFields);
  if (s.not) out.not = strictFields(s.not as Schema);
  const keepsUnknown = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (s.type === 'object' && s.properties && s.additionalProperties === undefined && !keepsUnknown) {
    out.additionalProperties = false;
  }
  return out;
}

/** The `x-kubernetes-*` extensions a schema uses: annotations, as far as JSON Schema goes. */
function extensionKeywords(s: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(s)) for (const v of s) extensionKeywords(v, found);
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k.startsWith('x-kubernetes-')) found.add(k);
      extensionKeywords(v, found);
    }
  }
  return found;
}

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{ name: string; served: boolean; schema: { openAPIV3Schema: Schema } }>;
  };
}

/** Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml). */
const parseManifest = (text: string) => parseYaml(text, { version: '1.1' }) as Record<string, unknown>;

function testRunValidator() {
  const crd = parseManifest(read('./vendor/k6-operator/k6.io_testruns.yaml')) as unknown as Crd;
  const version = crd.spec.versions.find((v) => v.name === 'v1alpha1')!;
  const schema = version.schema.openAPIV3Schema;
  // strictSchema: a keyword or format Ajv does not know makes compile() throw instead of being skipped.
  const ajv = new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, strictRequired: false });
  ajv.addVocabulary([...extensionKeywords(schema)]);
  // The OpenAPI formats the CRD uses, with Kubernetes' meaning.
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n + 0.5) < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s),
  });
  const compiled = ajv.compile(strictFields(schema));
  const validate = (manifest: unknown): string[] =>
    compiled(manifest)
      ? []
      : (compiled.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`);
  return { crd, version, validate };
}

describe('deploy/k6-operator/testrun.yaml against the k6-operator CRD', () => {
  const { crd, version, validate } = testRunValidator();
  const testrun = read('./k6-operator/testrun.yaml');

  it('vendors the CRD unchanged: deploy/vendor/README.md names its source commit and SHA-256', () => {
    const bytes = readFileSync(new URL('./vendor/k6-operator/k6.io_testruns.yaml', import.meta.url));
    expect(read('./vendor/README.md')).toContain(createHash('sha256').update(bytes).digest('hex'));
    expect(crd.metadata.name).toBe('testruns.k6.io');
    expect(version.served).toBe(true);
  });

  it("is a TestRun the CRD's openAPIV3Schema accepts with strict field validation", () => {
    const doc = parseManifest(testrun);
    expect(doc.apiVersion).toBe(`${crd.spec.group}/${version.name}`);
    expect(doc.kind).toBe(crd.spec.names.kind);
    expect(validate(doc)).toEqual([]);
  });

  it('refuses broken copies: a string parallelism, unknown fields, a missing required field, a bad quantity', () => {
    const broken = (from: RegExp, to: string) => {
      const text = testrun.replace(from, to);
      expect(text, `${from} is not in testrun.yaml`).not.toBe(testrun);
      return validate(parseManifest(text));
    };
    expect(broken(/^ {2}parallelism: 4$/m, '  parallelism: "four"')).toContainEqual(
      expect.stringMatching(/^\/spec\/parallelism type /),
    );
    expect(broken(/^ {2}separate: true$/m, '  separate: true\n  parallelizm: 4')).toContainEqual(
      '/spec additionalProperties {"additionalProperty":"parallelizm"}',
    );
    expect(broken(/^ {2}runner:$/m, '  runner:\n    imageTag: "1.0.0"')).toContainEqual(
      '/spec/runner additionalProperties {"additionalProperty":"imageTag"}',
    );
    expect(broken(/^ {2}script:\n(?: {4}.*\n)+/m, '')).toContainEqual('/spec required {"missingProperty":"script"}');
    expect(broken(/cpu: "1"/, 'cpu: one')).toContainEqual(
      expect.stringMatching(/^\/spec\/runner\/resources\/requests\/cpu pattern /),
    );
  });
});

// ---------------------------------------------------------------------------
// deploy/ci/nightly.yml against the GitHub Actions workflow schema
// (@action-validator/cli: the schemastore workflow schema, offline, in wasm).

const ACTION_VALIDATOR = join(
  dirname(createRequire(import.meta.url).resolve('@action-validator/cli/package.json')),
  'cli.mjs',
);

/** Runs action-validator on a workflow file; the error paths it reports (empty when valid). */
function actionValidator(file: string): { status: number | null; paths: string[] } {
  const res = spawnSync(process.execPath, [ACTION_VALIDATOR, file], { encoding: 'utf8' });
  const paths = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.path === 'string') paths.add(o.path);
      Object.values(o).forEach(walk);
    }
  };
  if (res.status !== 0) {
    expect(res.stderr, 'action-validator did not print its JSON result').toMatch(/^\{/);
    walk(JSON.parse(res.stderr));
  }
  return { status: res.status, paths: [...paths] };
}

describe('deploy/ci/nightly.yml against the GitHub Actions workflow schema', () => {
  const wf = read('./ci/nightly.yml');

  it('passes action-validator', () => {
    expect(actionValidator(fileURLToPath(new URL('./ci/nightly.yml', import.meta.url)))).toEqual({
      status: 0,
      paths: [],
    });
  });

  it('refuses broken copies: a timeout that is not a number, a step that neither uses nor runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'acgs-workflow-'));
    const broken = (from: string, to: string) => {
      const text = wf.replace(from, to);
      expect(text, `'${from}' is not in nightly.yml`).not.toBe(wf);
      writeFileSync(join(dir, 'nightly.yml'), text);
      return actionValidator(join(dir, 'nightly.yml'));
    };
    try {
      const timeout = broken('timeout-minutes: 90', 'timeout-minutes: ninety');
      expect(timeout.status).toBe(1);
      expect(timeout.paths).toContain('/jobs/nightly/timeout-minutes');
      const step = broken('- uses: actions/checkout@v4', '- usess: actions/checkout@v4');
      expect(step.status).toBe(1);
      expect(step.paths).toContain('/jobs/nightly/steps/0/uses');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------
// docker-compose.yml (the profile test stays in test/run-pipeline.test.ts)

interface ComposeService {
  image: string;
  user?: string;
  working_dir?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
}

/** The variables docker-compose.yml reads, unset, so each test sets only its own. */
const COMPOSE_VARS = ['SCENARIO', 'INSTANCE', 'HOST_UID', 'HOST_GID', 'RUN_ID', 'ACGS_PROFILE'];

function dockerCompose(args: string[], vars: Record<string, string> = {}): string {
  const which = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
  expect(which.status, 'docker-compose is not installed: apt-get install docker-compose (.ci/run does)').toBe(0);
  const env: NodeJS.ProcessEnv = { ...process.env, ...vars };
  for (const v of COMPOSE_VARS) if (!(v in vars)) delete env[v];
  const res = spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: ROOT, env, encoding: 'utf8' });
  expect(res.status, res.stderr).toBe(0);
  return res.stdout;
}

/** The resolved file (`docker-compose config`), every profile included; once per set of variables. */
const resolvedCompose = new Map<string, Record<string, ComposeService>>();
function composeServices(vars: Record<string, string> = {}): Record<string, ComposeService> {
  const key = JSON.stringify(vars);
  if (!resolvedCompose.has(key)) {
    const config = parseYaml(dockerCompose(['--profile', 'k6', 'config'], vars)) as {
      services: Record<string, ComposeService>;
    };
    resolvedCompose.set(key, config.services);
  }
  return resolvedCompose.get(key)!;
}

/** An exact image version: a tag of at least major.minor, not `latest`, not a floating major. */
const PINNED = /^[a-z0-9][a-z0-9./_-]*:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/;

describe('docker-compose.yml', () => {
  const raw = read('../docker-compose.yml');

  it('validates with docker-compose config -q, has no obsolete version key, and binds only to 127.0.0.1', () => {
    expect(dockerCompose(['config', '-q'])).toBe('');
    expect(Object.keys(parseYaml(raw) as object)).not.toContain('version');
    for (const [name, s] of Object.entries(composeServices())) {
      for (const p of s.ports ?? []) expect(p, `service ${name}`).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('pins every image to an exact version, the same as the deploy manifests use', () => {
    const services = composeServices();
    for (const [name, s] of Object.entries(services)) expect(s.image, `service ${name}`).toMatch(PINNED);
    expect(services.postgres.image).toMatch(/^postgres:15\./);
    expect(services.redis.image).toMatch(/^redis:7\./);
    expect(services.api.image).toMatch(/^node:20\.\d+\.\d+-bookworm$/);
    expect(services.k6.image).toMatch(/^grafana\/k6:\d+\.\d+\.\d+$/);
    const images = (file: string) => [...read(file).matchAll(/^\s*image: (\S+)$/gm)].map((m) => m[1]);
    for (const file of ['./k6-operator/testrun.yaml', './k6-operator/collect-pod.yaml', './ci/nightly.yml']) {
      for (const image of images(file)) expect(image, file).toMatch(PINNED);
    }
    expect(images('./ci/nightly.yml')).toEqual([services.postgres.image, services.redis.image]);
    expect(images('./k6-operator/testrun.yaml')).toEqual([services.k6.image]);
  });

  it('gives the credentials acgs-load on the host needs in the README, as compose creates them', () => {
    const pg = composeServices().postgres;
    const e = pg.environment!;
    const url = `postgres://${e.POSTGRES_USER}:${e.POSTGRES_PASSWORD}@127.0.0.1:5432/${e.POSTGRES_DB}`;
    expect(url).toBe('postgres://acgs:acgs@127.0.0.1:5432/acgs_load');
    expect(pg.ports).toEqual(['127.0.0.1:5432:5432/tcp']);
    const readme = read('../README.md');
    const section = readme.slice(readme.indexOf('## Real k6 and docker compose'));
    expect(section.slice(0, section.indexOf('\n## ', 3))).toContain(
      `DATABASE_URL=${url} REDIS_URL=redis://127.0.0.1:6379 node bin/acgs-load.js`,
    );
  });

  it('installs the API without npm ci writing into the bind-mounted checkout', () => {
    const api = composeServices().api;
    expect(api.volumes).toContain(`${ROOT.replace(/\/$/, '')}:/app:rw`);
    expect(api.volumes).toContain('api-node-modules:/app/node_modules:rw');
    expect(api.user).toBeUndefined();
    const script = api.command!.join(' ');
    expect(script).toMatch(/^sh -c npm ci --ignore-scripts /);
    expect(script).toContain('exec node bin/acgs-load.js api --host 0.0.0.0 --port 8080');
    expect(api.environment!.ACGS_PROFILE).toBe('smoke');
    expect(composeServices({ ACGS_PROFILE: 'load' }).api.environment!.ACGS_PROFILE).toBe('load');
  });

  it('runs k6 as the host user and writes the files `acgs-load report --merge` reads', () => {
    expect(composeServices().k6.user).toBe('1000:1000');
    const k6 = composeServices({ SCENARIO: 'ladder', INSTANCE: 'box1', HOST_UID: '1234', HOST_GID: '5678' }).k6;
    expect(k6.user).toBe('1234:5678');
    // The script is the scenario's bundle (npm run build:k6: scenarios/<name>.ts -> dist/k6/<name>.js).
    expect(k6.volumes).toContain(`${join(ROOT, 'dist/k6')}:/scripts:ro`);
    expect(k6.command!.at(-1)).toBe('/scripts/ladder.js');
    expect(existsSync(join(ROOT, 'scenarios/ladder.ts'))).toBe(true);
    expect(k6.volumes).toContain(`${join(ROOT, 'results')}:/results:rw`);

    // The entrypoint and command, run by sh as in the container (compose turns $$ into $),
    // with /results on a temporary folder and a stand-in k6 that creates the files it is told to.
    const tmp = mkdtempSync(join(tmpdir(), 'acgs-compose-'));
    try {
      const onHost = (a: string) => a.replace(/(^|=)\/results\//, `$1${tmp}/results/`);
      const bin = join(tmp, 'bin');
      mkdirSync(bin);
      writeFileSync(
        join(bin, 'k6'),
        [
          '#!/bin/sh',
          'while [ $# -gt 0 ]; do',
          '  case "$1" in',
          '    --out) shift; case "$1" in json=*) : > "${1#json=}" || exit 1;; esac;;',
          '    --summary-export) shift; echo \'{}\' > "$1" || exit 1;;',
          '    --summary-export=*) echo \'{}\' > "${1#--summary-export=}" || exit 1;;',
          '  esac',
          '  shift',
          'done',
        ].join('\n') + '\n',
      );
      chmodSync(join(bin, 'k6'), 0o755);
      const [sh, c, script, ...args] = k6.entrypoint!;
      expect([sh, c]).toEqual(['sh', '-c']);
      const res = spawnSync(sh, [c, script.replaceAll('$$', '$'), ...[...args, ...k6.command!].map(onHost)], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        encoding: 'utf8',
      });
      expect(res.status, res.stderr).toBe(0);

      const instance = join(tmp, 'results/k6/box1');
      const [files, ...more] = instanceFiles(instance);
      expect(more).toEqual([]);
      expect(files).toEqual({
        name: 'ladder',
        metrics: join(instance, 'ladder.metrics.ndjson'),
        summaryData: null,
        summaryExport: join(instance, 'ladder.summary-export.json'),
      });
      expect(posix.dirname(k6.command![2].slice('json='.length))).toBe('/results/k6/box1');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
