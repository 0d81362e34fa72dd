/** `acgs-load warm`: write the hot entities of the suite's database into Redis. */
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { profileOption } from '../options.ts';
import { loadConfig } from '../../config/index.ts';
import { warmCache } from '../../seed/index.ts';
import { warmSummaryText } from '../seed-output.ts';
import { warmProgressPrinter } from '../progress.ts';
import { resolveServices } from '../../services/index.ts';

export function register(program: Command): void {
  program
    .command('warm')
    .description(summaryOf('warm'))
    .addOption(profileOption())
    .action(async (f: { profile: string }) => {
      const config = loadConfig({ profile: f.profile });
      const services = await resolveServices(config);
      try {
        const progress = warmProgressPrinter();
        const w = await warmCache({
          databaseUrl: services.databaseUrl,
          redisUrl: services.redisUrl,
          prefix: config.redis.prefix,
          ttlSeconds: config.cache.ttlSeconds,
          hotFraction: config.cache.warmHotFraction,
          onProgress: progress.onProgress,
        }).finally(() => progress.end());
        process.stdout.write(warmSummaryText(w, config.redis.prefix) + '\n');
      } finally {
        await services.stop();
      }
    });
}
