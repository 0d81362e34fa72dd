// The capability folders of the source tree and which folders each may import
// (docs/architecture.md). One list for the import-boundary check
// (.dependency-cruiser.cjs), the build's staleness check (bin/build.js) and the
// tests that sweep every source file.
const ALL_BELOW_RUN = [
  'config',
  'services',
  'schema',
  'seed',
  'api',
  'scenarios',
  'engine',
  'checks',
  'measure',
  'faults',
  'report',
];

module.exports = {
  config: [],
  services: ['config'],
  schema: ['config', 'services'],
  seed: ['config', 'services', 'schema'],
  api: ['config', 'services', 'schema', 'seed'],
  scenarios: [],
  engine: ['config'],
  checks: ['config', 'services', 'schema'],
  measure: ['config', 'services'],
  faults: ['config', 'services', 'measure', 'engine'],
  report: ['config', 'engine', 'measure', 'faults', 'checks'],
  run: ALL_BELOW_RUN,
  cli: [...ALL_BELOW_RUN, 'run'],
};
