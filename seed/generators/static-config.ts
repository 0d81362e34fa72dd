/** Generator of static_config: a fixed set of 100 settings, whatever the scale. */
import { STATIC_CONFIG_KEYS } from '../context.ts';
import { copyEscape, copyJson, copyLine, isoTime } from '../copy-text.ts';
import { between, pick } from '../hash.ts';
import type { TableGenerator } from './types.ts';

const SECTIONS = [
  'features',
  'limits',
  'voting',
  'compliance',
  'synthesis',
  'audit',
  'sessions',
  'notifications',
  'ui',
  'security',
];
const NAMES = [
  'enabled',
  'max_items',
  'window_seconds',
  'threshold',
  'mode',
  'retention_days',
  'batch_size',
  'quorum',
  'level',
  'default_locale',
];
const MODES = ['strict', 'lenient', 'shadow', 'off'];

/** The key of static_config row i: `<section>.<name>` (10 x 10 = 100 keys). */
export function staticConfigKey(i: number): string {
  return SECTIONS[Math.floor(i / NAMES.length) % SECTIONS.length] + '.' + NAMES[i % NAMES.length];
}

export const staticConfig: TableGenerator = {
  table: 'static_config',
  columns: ['key', 'value', 'description', 'updated_at', 'version'],
  count: () => STATIC_CONFIG_KEYS,
  prepare(ctx) {
    const [hValue, hDesc, hTime] = ['value', 'description', 'updated_at'].map((c) => ctx.h('static_config', c));
    return (i) => {
      const key = staticConfigKey(i);
      const name = NAMES[i % NAMES.length];
      const hv = hValue(i);
      let value: unknown;
      if (name === 'enabled') value = hv % 4 !== 0;
      else if (name === 'mode' || name === 'level') value = pick(hv, MODES);
      else if (name === 'default_locale') value = pick(hv, ['en-GB', 'en-US', 'de-DE', 'fr-FR']);
      else if (name === 'threshold' || name === 'quorum') value = between(hv, 10, 90) / 100;
      else value = between(hv, 1, 1000) * 10;
      return copyLine([
        copyEscape(key),
        copyJson({ value }),
        copyEscape(pick(hDesc(i), ctx.pools.sentences)),
        isoTime(ctx.refMs - between(hTime(i), 0, 200 * 86_400_000)),
        '1',
      ]);
    };
  },
};
