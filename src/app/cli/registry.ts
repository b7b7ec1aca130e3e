import type { CliCommand } from './command.js';
import { healthCommand, migrateCommand, statusCommand, sweepCommand } from './commands.js';
import { demoCommand } from './demo.js';
import { KEYS_COMMANDS } from './keys.js';
import { schemaCommand, verifyCommand } from './schema-command.js';

/** Every CLI command, in the order `authkeep --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  demoCommand,
  migrateCommand,
  statusCommand,
  healthCommand,
  sweepCommand,
  schemaCommand,
  verifyCommand,
  ...KEYS_COMMANDS,
];
