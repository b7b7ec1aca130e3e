import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAuthkeepError } from '../../domain/errors.js';
import { healthCommand, migrateCommand, statusCommand, sweepCommand } from './commands.js';
import { demoCommand } from './demo.js';
import { CliError, processIo, type CliIo } from './io.js';
import { runKeysCommand } from './keys.js';

type Command = (argv: string[], io: CliIo) => Promise<void>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  demo: {
    run: demoCommand,
    help: 'a guided run: create a user, a session and an API key, then verify the key',
  },
  migrate: { run: migrateCommand, help: 'apply pending migrations' },
  status: { run: statusCommand, help: 'list applied and pending migrations' },
  health: { run: healthCommand, help: 'check that the database answers' },
  sweep: {
    run: sweepCommand,
    help: 'delete expired sessions, email tokens, two-factor and SSO sessions in batches',
  },
  keys: {
    run: runKeysCommand,
    help: 'keys generate | keys rotate [--dry-run]: encryption keys (see "authkeep keys help")',
  },
};

const USAGE = [
  'usage: authkeep <command> [--database <url>] [--redis <url>]',
  '',
  'commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`),
  '',
  'The database is --database, else AUTHKEEP_DATABASE_URL, else ./.authkeep/authkeep.db (SQLite).',
].join('\n');

/** Runs one CLI invocation; returns the exit code. Failures are one line on stderr, never a stack. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`authkeep: unknown command "${name}" (try --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`authkeep ${name}: ${command.help}\n\n${USAGE}`);
    return 0;
  }
  try {
    await command.run(rest, io);
    return 0;
  } catch (error) {
    const code = error instanceof CliError ? error.exitCode : 1;
    const kind = isAuthkeepError(error) ? ` [${error.code}]` : '';
    io.err(`authkeep ${name}: ${(error as Error).message}${kind}`);
    return code;
  }
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
