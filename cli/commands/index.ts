/**
 * Every command of the tree, in help order. A new command: add its file in
 * this folder exporting `register(program: Command): void` and list it here.
 */
import type { Command } from 'commander';
import { register as runCmd } from './run.ts';
import { register as configCmd } from './config.ts';
import { register as targetCmd } from './api.ts';
import { register as seedCmd } from './seed.ts';
import { register as dbCmd } from './db.ts';
import { register as warmCmd } from './warm.ts';
import { register as scenarioCmd } from './scenario.ts';
import { register as k6Cmd } from './k6.ts';
import { register as checkCmd } from './check.ts';
import { register as reportCmd } from './report.ts';
import { register as compareCmd } from './compare.ts';
import { register as baselineCmd } from './baseline.ts';

export const commands: Array<(program: Command) => void> = [
  runCmd,
  configCmd,
  targetCmd,
  seedCmd,
  dbCmd,
  warmCmd,
  scenarioCmd,
  k6Cmd,
  checkCmd,
  reportCmd,
  compareCmd,
  baselineCmd,
];
