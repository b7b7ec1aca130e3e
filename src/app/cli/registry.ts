import type { CliCommand } from './command.js';
import { healthCommand, migrateCommand, statusCommand, sweepCommand } from './commands/commands.js';
import { demoCommand } from './commands/demo.js';
import { KEYS_COMMANDS } from './commands/keys.js';
import { schemaCommand, verifyCommand } from './commands/schema-command.js';

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
