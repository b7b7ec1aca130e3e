import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAuthkeepError } from '../../domain/errors.js';
import type { CliCommand } from './command.js';
import { CliError, processIo, type CliIo } from './io.js';
import { buildProgram, PrintedHelp, UsageError } from './program.js';
import { COMMANDS } from './registry.js';

const list = (commands: readonly CliCommand[]) => commands.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`);

const USAGE = [
  'usage: authkeep <command> [options]      (authkeep <command> --help lists its options)',
  '',
  'commands:',
  ...list(COMMANDS),
  '',
  'options:',
  '  -V, --version  print the version',
  '  -h, --help     show this help',
  '',
  'The database is --database, else AUTHKEEP_DATABASE_URL, else ./.authkeep/authkeep.db (SQLite).',
  'Only "migrate" (and "demo", on that default) creates a database, file or schema.',
  'Results go to stdout; warnings, errors and progress (on a terminal) go to stderr.',
].join('\n');

const groupUsage = (group: string, members: readonly CliCommand[]) =>
  [`usage: authkeep ${group} <command> [options]`, '', 'commands:', ...list(members)].join('\n');

/**
 * Parses and runs one invocation; help and --version resolve, every failure throws (a CliError with its
 * exit code, a UsageError from the parser, or the command's own error). `onRun` hears the command's name.
 */
export async function runCommandLine(
  argv: string[],
  io: CliIo,
  onRun: (name: string) => void = () => {},
): Promise<void> {
  const program = buildProgram(COMMANDS, io, { usage: USAGE, groupUsage }, onRun);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof PrintedHelp && error.exitCode === 0) return;
    throw error;
  }
}

/** Runs one CLI invocation; returns the exit code. Failures are one line on stderr, never a stack. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  let running = 'authkeep';
  try {
    await runCommandLine(argv, io, (name) => {
      running = name;
    });
    return 0;
  } catch (error) {
    if (error instanceof PrintedHelp) return error.exitCode;
    if (error instanceof UsageError) {
      const where = error.command === 'authkeep' ? 'authkeep' : `authkeep ${error.command}`;
      io.err(`${where}: ${error.message} (see ${where} --help)`);
      return error.exitCode;
    }
    const code = error instanceof CliError ? error.exitCode : 1;
    const kind = isAuthkeepError(error) ? ` [${error.code}]` : '';
    io.err(`authkeep ${running}: ${oneLine((error as Error).message)}${kind}`);
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
