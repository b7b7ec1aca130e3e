/** One command-line flag, with the line `--help` shows for it. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help for a string flag, e.g. `<url>`. */
  value?: string;
  help: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string;
};

/** The flag table of a command's `--help`. */
export function describeFlags(flags: FlagSpecs): string[] {
  const rows = Object.entries(flags).map(([name, flag]) => {
    const short = flag.short ? `-${flag.short}, ` : '    ';
    const value = flag.type === 'string' ? ` ${flag.value ?? '<value>'}` : '';
    return [`  ${short}--${name}${value}`, flag.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, help]) => `${left.padEnd(width)}${help}`);
}

export const HELP_FLAG: FlagSpecs = { help: { type: 'boolean', short: 'h', help: 'show this help' } };
export const JSON_FLAG = {
  json: { type: 'boolean', help: 'print the result as one JSON document on stdout' },
} as const satisfies FlagSpecs;
