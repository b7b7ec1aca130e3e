/** Where a command writes: stdout for results, stderr for diagnostics; injectable for tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Whether stdout is an interactive terminal (progress bars) or a pipe/log (plain lines). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
};

/** A failure the CLI reports as one line and a non-zero exit. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
