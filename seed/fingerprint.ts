/** The dataset fingerprint: what the data in a database was generated from. */
import { createHash } from 'node:crypto';
import { GENERATOR_VERSION } from './context.ts';
import { SCHEMA_VERSION } from '../schema/index.ts';

/**
 * hash(schema version, scale, seed, generator version), 16 hex digits. Equal
 * fingerprints mean byte-identical data, so a reload can be skipped.
 */
export function datasetFingerprint(scale: number, seed: number): string {
  const text = JSON.stringify({ schemaVersion: SCHEMA_VERSION, scale, seed, generatorVersion: GENERATOR_VERSION });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
