/** `acgs-load db migrate|status`: the versioned schema of the suite's database. */
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { profileOption } from '../options.ts';
import { loadConfig, redactUrl } from '../../config/index.ts';
import { ensureDatabase, resolveServices } from '../../services/index.ts';
import { migrate, migrationStatus, schemaDrift } from '../../schema/index.ts';

export function register(program: Command): void {
  const db = program.command('db').description(summaryOf('db'));
  db.command('migrate')
    .description('create the database if missing and apply pending migrations')
    .addOption(profileOption())
    .option('--force', 'migrate a database that has tables but no acgs-load marker')
    .action(async (f: { profile: string; force?: boolean }) => {
      const config = loadConfig({ profile: f.profile, flags: { database: { force: f.force || undefined } } });
      const services = await resolveServices(config);
      try {
        await ensureDatabase(services.databaseUrl);
        const r = await migrate(services.databaseUrl, { force: config.database.force });
        process.stdout.write(
          `${redactUrl(services.databaseUrl)}: ${r.applied.length ? `applied ${r.applied.join(', ')}` : 'nothing to apply'}; schema at migration ${r.current}\n`,
        );
      } finally {
        await services.stop();
      }
    });
  db.command('status')
    .description(
      "show whether the database is the suite's, its migrations, whether its schema drifted from them, and its dataset fingerprint",
    )
    .addOption(profileOption())
    .action(async (f: { profile: string }) => {
      const config = loadConfig({ profile: f.profile });
      const services = await resolveServices(config);
      try {
        const s = await migrationStatus(services.databaseUrl);
        const drift = await schemaDrift(services.databaseUrl);
        const schema =
          drift === null
            ? 'not compared (no marker)'
            : drift.length === 0
              ? 'matches the migrations'
              : `${drift.length} difference${drift.length === 1 ? '' : 's'} from the migrations (\`acgs-load seed --repair\` ${drift.every((d) => d.repair) ? 'repairs them' : 'cannot repair them all: use --fresh'})`;
        process.stdout.write(
          [
            `database:    ${redactUrl(services.databaseUrl)} (${services.source.postgres})`,
            `owned:       ${s.owned ? 'yes (acgs-load marker present)' : 'no marker'}`,
            `migration:   ${s.current}`,
            `pending:     ${s.pending.length ? s.pending.join(', ') : 'none'}`,
            `schema:      ${schema}`,
            ...(drift ?? []).map((d) => `  - ${d.text}${d.repair ? '' : ' (needs --fresh)'}`),
            `fingerprint: ${s.fingerprint ?? 'none (no dataset loaded)'}`,
          ].join('\n') + '\n',
        );
      } finally {
        await services.stop();
      }
    });
}
