import { Command, Option, type CommanderError } from 'commander';
import type { CliCommand } from './command.js';
import { describeFlags, HELP_FLAG, type FlagSpec, type FlagSpecs, type FlagValues } from './flags.js';
import { CliError, type CliIo } from './io.js';
import { packageVersion } from './version.js';

/** The parser's own failure (unknown command or flag, missing value): exit 2 with its message. */
export class UsageError extends CliError {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message, 2);
  }
}

/** Help or --version was printed: the run ends here, successfully unless it was a bare group. */
export class PrintedHelp extends CliError {}

export interface ProgramText {
  /** The tool's usage, listing every command. */
  usage: string;
  /** A group's usage (`authkeep keys`), listing its subcommands. */
  groupUsage(group: string, commands: readonly CliCommand[]): string;
}

/** `authkeep X --help`: the usage line, the summary and details, and the flag table. */
export function commandHelp(command: CliCommand): string {
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

// commander's flag syntax splits on spaces and `|`, so its placeholder is plain; help shows ours.
function optionOf(name: string, flag: FlagSpec): Option {
  const long = `--${name}${flag.type === 'string' ? ' <value>' : ''}`;
  return new Option(flag.short ? `-${flag.short}, ${long}` : long, flag.help);
}

/** One line from commander's message: no `error:` prefix, its "(Did you mean …?)" kept. */
function usageLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/**
 * The CLI as a commander program: did-you-mean for commands and flags, --version, usage on a bare group
 * (`authkeep keys`). Output goes through `io`; every exit is a thrown CliError or a resolved run.
 */
export function buildProgram(
  commands: readonly CliCommand[],
  io: CliIo,
  text: ProgramText,
  onRun: (name: string) => void,
): Command {
  const helpTexts = new Map<Command, string>();
  const write = (line: (s: string) => void) => (chunk: string) => line(chunk.replace(/\n$/, ''));
  const configure = (command: Command, name: string) =>
    command
      .exitOverride((error: CommanderError) => {
        // Help asked for exits 0; help printed because a command was missing (a bare group) exits 2.
        if (['commander.help', 'commander.helpDisplayed', 'commander.version'].includes(error.code)) {
          throw new PrintedHelp(error.message, error.exitCode === 0 ? 0 : 2);
        }
        throw new UsageError(name, usageLine(error.message));
      })
      .configureOutput({ writeOut: write(io.out), writeErr: write(io.err), outputError: () => {} })
      .configureHelp({ formatHelp: (cmd) => helpTexts.get(cmd) ?? text.usage })
      .helpOption('-h, --help', 'show this help')
      .showSuggestionAfterError(true);

  const program = configure(new Command('authkeep'), 'authkeep').version(
    packageVersion(),
    '-V, --version',
    'print the version',
  );
  helpTexts.set(program, text.usage);
  const groups = new Map<string, Command>();
  for (const command of commands) {
    const words = command.name.split(' ');
    let parent = program;
    if (words.length === 2) {
      const group = words[0]!;
      let groupCommand = groups.get(group);
      if (!groupCommand) {
        const members = commands.filter((c) => c.name.startsWith(`${group} `));
        groupCommand = configure(parent.command(group), group).description(`${group} commands`);
        helpTexts.set(groupCommand, text.groupUsage(group, members));
        groups.set(group, groupCommand);
      }
      parent = groupCommand;
    }
    const leaf = configure(parent.command(words.at(-1)!), command.name).description(command.summary);
    helpTexts.set(leaf, commandHelp(command));
    const options = Object.entries(command.flags).map(
      ([name, flag]) => [name, optionOf(name, flag)] as const,
    );
    for (const [, option] of options) leaf.addOption(option);
    leaf.action(async (parsed: Record<string, unknown>) => {
      const values = Object.fromEntries(
        options
          .map(([name, option]) => [name, parsed[option.attributeName()]] as const)
          .filter(([, value]) => value !== undefined),
      );
      onRun(command.name);
      await command.run(values as FlagValues<FlagSpecs>, io);
    });
  }
  return program;
}
