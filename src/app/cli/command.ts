import type { FlagSpecs, FlagValues } from './flags.js';
import type { CliIo } from './io.js';

/** One CLI command: what `--help` says about it, the flags it takes, and what it does. */
export interface CliCommand<F extends FlagSpecs = FlagSpecs> {
  /** `migrate`, or `keys rotate` for a subcommand. */
  name: string;
  summary: string;
  /** Further help paragraphs, one line each. */
  details?: readonly string[];
  flags: F;
  run(values: FlagValues<F>, io: CliIo): Promise<void> | void;
}

/** Keeps the flag types of `run` tied to `flags`, then erases them for the registry. */
export function defineCommand<F extends FlagSpecs>(command: CliCommand<F>): CliCommand {
  return command as unknown as CliCommand;
}
