/** `acgs-load config show|profiles`: the merged configuration, without secrets. */
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { profileOption } from '../options.ts';
import { listProfiles, loadConfig, readProfile, redactConfig } from '../../config/index.ts';

export function register(program: Command): void {
  const cmd = program.command('config').description(summaryOf('config'));
  cmd
    .command('show')
    .description('print the merged, validated configuration (passwords hidden)')
    .addOption(profileOption())
    .action((opts: { profile: string }) => {
      const config = loadConfig({ profile: opts.profile });
      process.stdout.write(JSON.stringify(redactConfig(config), null, 2) + '\n');
    });
  cmd
    .command('profiles')
    .description('list the profiles shipped in config/profiles')
    .action(() => {
      for (const name of listProfiles()) {
        const { input } = readProfile(name);
        process.stdout.write(`${name.padEnd(10)} ${String(input.description ?? '')}\n`);
      }
    });
}
