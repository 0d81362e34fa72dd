/**
 * The target in a process of its own, for `scenario run`: reads
 * `{config, databaseUrl, redisUrl}` as JSON from stdin (not argv or env, so
 * no password shows in `ps`), starts the target, prints one JSON line
 * `{"url": ...}` (or `{"error": ...}`) and serves until SIGTERM / SIGINT.
 * Spawned by services/api-process.ts; not a user command.
 */
import { configSchema, isAcgsError } from '../config/index.ts';
import { startApi } from './index.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const input = JSON.parse(await readStdin()) as { config: unknown; databaseUrl: string; redisUrl: string };
  const config = configSchema.parse(input.config);
  const target = await startApi({ config, databaseUrl: input.databaseUrl, redisUrl: input.redisUrl });
  process.stdout.write(JSON.stringify({ url: target.url }) + '\n');
  const stop = () => {
    target.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  const err = isAcgsError(e)
    ? { error: e.message, kind: e.kind, hint: e.hint, details: e.details }
    : { error: (e as Error)?.message ?? String(e) };
  process.stdout.write(JSON.stringify(err) + '\n');
  process.exit(1);
});
