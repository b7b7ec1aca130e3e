/** Where a command writes: stdout for results, stderr for diagnostics and progress; injectable for tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Whether stderr is an interactive terminal: progress is drawn there, and stays quiet otherwise. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stderr.isTTY),
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
