import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAuthkeepError } from '../../domain/errors.js';
import type { CliCommand } from './command.js';
import { healthCommand, migrateCommand, statusCommand, sweepCommand } from './commands.js';
import { demoCommand } from './demo.js';
import { describeFlags, HELP_FLAG, parseFlags } from './flags.js';
import { CliError, processIo, type CliIo } from './io.js';
import { KEYS_COMMANDS } from './keys.js';
import { schemaCommand, verifyCommand } from './schema-command.js';

const COMMANDS: readonly CliCommand[] = [
  demoCommand,
  migrateCommand,
  statusCommand,
  healthCommand,
  sweepCommand,
  schemaCommand,
  verifyCommand,
  ...KEYS_COMMANDS,
];

const USAGE = [
  'usage: authkeep <command> [options]      (authkeep <command> --help lists its options)',
  '',
  'commands:',
  ...COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`),
  '',
  'The database is --database, else AUTHKEEP_DATABASE_URL, else ./.authkeep/authkeep.db (SQLite).',
  'Results go to stdout; warnings, errors and progress (on a terminal) go to stderr.',
].join('\n');

function commandHelp(command: CliCommand): string {
  return [
    `usage: authkeep ${command.name} [options]`,
    '',
    command.summary,
    ...(command.details ? ['', ...command.details] : []),
    '',
    'options:',
    ...describeFlags({ ...command.flags, ...HELP_FLAG }),
  ].join('\n');
}

/** The command an argument list names (`keys rotate` takes two words), and the arguments after it. */
function findCommand(argv: string[]): { command: CliCommand | undefined; rest: string[]; name: string } {
  const [first = '', second = ''] = argv;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two) return { command: two, rest: argv.slice(2), name: two.name };
  return { command: COMMANDS.find((c) => c.name === first), rest: argv.slice(1), name: first };
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

/** Runs one CLI invocation; returns the exit code. Failures are one line on stderr, never a stack. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [first, second] = argv;
  if (!first || isHelp(first)) {
    io.out(USAGE);
    return first ? 0 : 2;
  }
  const { command, rest, name } = findCommand(argv);
  if (!command) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0 && (second === undefined || isHelp(second))) {
      io.out(group.map((c) => `  authkeep ${c.name.padEnd(14)} ${c.summary}`).join('\n'));
      return second === undefined ? 2 : 0;
    }
    io.err(`authkeep: unknown command "${argv.slice(0, group.length > 0 ? 2 : 1).join(' ')}" (try --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    await command.run(parseFlags(rest, command.flags), io);
    return 0;
  } catch (error) {
    const code = error instanceof CliError ? error.exitCode : 1;
    const kind = isAuthkeepError(error) ? ` [${error.code}]` : '';
    io.err(`authkeep ${name}: ${oneLine((error as Error).message)}${kind}`);
    return code;
  }
}

/** Failures are reported on exactly one line, whatever the message holds. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

/**
 * Whether this module is the program node was asked to run: `argv[1]` may be a bin symlink
 * (node_modules/.bin/authkeep, npx), a relative path or a path without extension, so compare real paths.
 */
export function isProgramEntry(argv1: string | undefined, moduleUrl: string): boolean {
  if (!argv1) return false;
  const self = realOrSelf(fileURLToPath(moduleUrl));
  const invoked = realOrSelf(resolve(argv1));
  return invoked === self || self.replace(/\.[cm]?[jt]s$/, '') === invoked;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

if (isProgramEntry(process.argv[1], import.meta.url)) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
