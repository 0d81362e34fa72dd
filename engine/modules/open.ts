/** k6 `open(filePath, [mode])` (k6 docs "open"). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { VU } from '../vu.ts';

/**
 * k6 `open()` for a VU of the script at `entry`: init code only, path
 * relative to the script; mode "b" returns an ArrayBuffer. Files are read
 * once per test (per worker thread for a sync script's VUs) and shared.
 */
export function openFile(vu: VU, entry: string, path: string, mode?: string): string | ArrayBuffer {
  if (!vu.inInit) {
    throw new Error(
      'The "open()" function is only available in the init stage (i.e. the global scope), see https://grafana.com/docs/k6/latest/using-k6/test-lifecycle/',
    );
  }
  const abs = resolve(dirname(entry), path);
  const key = `${mode === 'b' ? 'b' : 't'}:${abs}`;
  const cache = vu.run.openCache;
  let v = cache.get(key);
  if (v === undefined) {
    const buf = readFileSync(abs);
    v = mode === 'b' ? buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) : buf.toString('utf8');
    cache.set(key, v);
  }
  return v;
}
