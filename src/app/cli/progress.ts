import type { CliIo } from './io.js';

const BAR_WIDTH = 24;
// On a terminal each update replaces the previous line: cursor up one line, then erase it.
const REWRITE = '\x1b[1A\x1b[2K';

/**
 * Progress for long jobs, on stderr: a bar redrawn in place when stderr is a terminal, nothing otherwise
 * (a log or pipe gets the results, not the steps), unless `lines` asks for one plain line per step.
 */
export class ProgressReporter {
  private drawn: string | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly lines = false,
  ) {}

  update(label: string, done: number, total: number, detail: string): void {
    if (!this.io.isTTY) {
      if (this.lines) this.io.err(`${label}: ${done}/${total} ${detail}`);
      return;
    }
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
    const line = `${label} ${bar} ${percent} ${done}/${total} ${detail}`;
    this.io.err(this.drawn === label ? `${REWRITE}${line}` : line);
    this.drawn = label;
  }

  /** Ends the current bar, so the next output starts on a fresh line. */
  finish(): void {
    this.drawn = undefined;
  }
}

export const PROGRESS_FLAG = {
  progress: {
    type: 'boolean',
    help: 'print progress lines on stderr even when it is not a terminal',
  },
} as const;
