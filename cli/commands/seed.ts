/**
 * `acgs-load seed`: create the database if missing, load the dataset of
 * (scale, seed) unless it is already there, then warm the cache. Prints the
 * rows per table, rows/s and the warm summary.
 */
import type { Command } from 'commander';
import { profileOption } from '../options.ts';
import { loadConfig, redactUrl } from '../../config/index.ts';
import { seedDatabase, warmCache, type SeedProgressEvent } from '../../seed/index.ts';
import { ensureDatabase, connectRedis, deletePrefix, resolveServices } from '../../services/index.ts';
import { liveLine, numericFlag, progressLine, seedSummaryText, warmSummaryText } from '../seed-output.ts';

interface SeedFlags {
  profile?: string;
  scale?: string;
  seed?: string;
  fresh?: boolean;
  force?: boolean;
  warm: boolean;
}

/** Prints progress: a live line on a terminal, plain lines otherwise. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (e: SeedProgressEvent) => void;
  end(): void;
} {
  const tty = Boolean(stream.isTTY);
  const active = new Map<string, SeedProgressEvent>();
  let doneRows = 0;
  let last = 0;
  const clear = () => tty && stream.write('\r\x1b[2K');
  return {
    onProgress(e) {
      if (e.done) {
        active.delete(e.table);
        doneRows += e.rows;
        clear();
        stream.write(progressLine(e) + '\n');
      } else active.set(e.table, e);
      const now = Date.now();
      if (tty && active.size && now - last > 100) {
        last = now;
        clear();
        stream.write(liveLine(active, doneRows).slice(0, (stream.columns ?? 120) - 1));
      }
    },
    end: () => {
      clear();
    },
  };
}

export function register(program: Command): void {
  program
    .command('seed')
    .description(
      'load the deterministic governance dataset into PostgreSQL (skipped when already loaded) and warm Redis',
    )
    .addOption(profileOption())
    .option('--scale <n>', 'data scale factor (1 ≈ 100k rows, 10 ≈ 1M, 100 ≈ 10M)')
    .option('--seed <n>', 'data seed (same seed and scale give byte-identical data)')
    .option('--fresh', 'reload even when the stored fingerprint matches')
    .option('--force', 'use a database that has tables but no acgs-load marker')
    .option('--no-warm', 'do not write the hot entities into Redis')
    .action(async (f: SeedFlags) => {
      const config = loadConfig({
        profile: f.profile,
        flags: {
          seed: { scale: numericFlag(f.scale), seed: numericFlag(f.seed), fresh: f.fresh || undefined },
          database: { force: f.force || undefined },
        },
      });
      const services = await resolveServices(config);
      const out = process.stdout;
      try {
        out.write(
          `PostgreSQL: ${redactUrl(services.databaseUrl)} (${services.source.postgres}); Redis: ${redactUrl(services.redisUrl)} (${services.source.redis})\n`,
        );
        // A Redis that refuses us (down, AUTH) fails the command before the database is touched,
        // not after the load (no half-done seed + warm).
        if (f.warm) (await connectRedis(services.redisUrl, 'checking Redis before seeding')).disconnect();
        const { created } = await ensureDatabase(services.databaseUrl);
        if (created) out.write('created the database\n');
        out.write(
          `seeding scale ${config.seed.scale}, seed ${config.seed.seed}${config.seed.fresh ? ' (fresh)' : ''}\n`,
        );
        const progress = progressPrinter();
        const summary = await seedDatabase({
          databaseUrl: services.databaseUrl,
          scale: config.seed.scale,
          seed: config.seed.seed,
          fresh: config.seed.fresh,
          force: config.database.force,
          onProgress: progress.onProgress,
        }).finally(() => progress.end());
        out.write(seedSummaryText(summary) + '\n');
        if (!f.warm) return;
        if (!summary.skipped) {
          // Entries cached from the previous dataset would be stale: clear the suite's prefix only.
          const redis = await connectRedis(services.redisUrl, 'clearing the cache');
          try {
            const n = await deletePrefix(redis, config.redis.prefix);
            if (n) out.write(`deleted ${n} stale keys under '${config.redis.prefix}'\n`);
          } finally {
            redis.disconnect();
          }
        }
        const w = await warmCache({
          databaseUrl: services.databaseUrl,
          redisUrl: services.redisUrl,
          prefix: config.redis.prefix,
          ttlSeconds: config.cache.ttlSeconds,
          hotFraction: config.cache.warmHotFraction,
        });
        out.write(warmSummaryText(w, config.redis.prefix) + '\n');
      } finally {
        await services.stop();
      }
    });
}
