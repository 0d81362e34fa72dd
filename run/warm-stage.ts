/**
 * The warm stage of a run: the run's key prefix is emptied, whatever
 * cache.warmOnStart says, then (when it is on) the hot entities are written
 * with their TTL policies. Entries an earlier run filled would turn this
 * run's misses into hits, so two runs of one build start from the same cache
 * either way; with warmOnStart off the run starts from an empty one.
 *
 * Both paths leave the warm marker (docs/cache-keys.md "Metadata") that the
 * target publishes at GET /api/v1/ids: what was warmed and when, or that
 * nothing was, so the scenarios' cache model knows which reads should hit.
 */
import type { Config } from '../config/index.ts';
import { emptyCache, warmCache, type WarmProgressEvent } from '../seed/index.ts';
import type { StageLog } from './stage.ts';

/** A printer of the warm's progress (cli/progress.ts makes it). */
interface WarmProgress {
  onProgress(e: WarmProgressEvent): void;
  end(): void;
}

/** Runs the warm stage (the caller skips it when another deployment owns the cache). */
export async function warmStage(o: {
  stages: StageLog;
  config: Readonly<Config>;
  databaseUrl: string;
  redisUrl: string;
  /** Made when the stage starts; ended however it ends. */
  progress?: () => WarmProgress | undefined;
}): Promise<void> {
  const { config } = o;
  if (!config.cache.warmOnStart) {
    // Not skipped: a skipped stage left the previous run's entries for this run to hit.
    await o.stages.run(
      'warm',
      () => emptyCache({ redisUrl: o.redisUrl, prefix: config.redis.prefix }),
      (r) => `cache.warmOnStart is false: emptied the prefix (${r.cleared} keys), warmed nothing`,
    );
    return;
  }
  await o.stages.run(
    'warm',
    async () => {
      const sink = o.progress?.();
      return warmCache({
        databaseUrl: o.databaseUrl,
        redisUrl: o.redisUrl,
        prefix: config.redis.prefix,
        ttlSeconds: config.cache.ttlSeconds,
        hotFraction: config.cache.warmHotFraction,
        // Every run starts from the same cache: the warmed hot set and nothing else.
        emptyFirst: true,
        onProgress: sink ? (e) => sink.onProgress(e) : undefined,
      }).finally(() => sink?.end());
    },
    (w) => `${w.keys} keys${w.cleared ? ` (first cleared ${w.cleared} left by earlier runs)` : ''}`,
  );
}
