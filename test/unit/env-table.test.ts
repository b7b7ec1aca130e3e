import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, envValue } from '../../src/app/env.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NAME = /\b(?:AUTHKEEP|O2P|DB_TABLE|GENERIC_(?:DATA|CACHE)_STORE)_[A-Z0-9_]*[A-Z0-9]\b/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the environment variables', () => {
  const listed = ENV_VARIABLES.map((variable) => variable.name);

  it('every name the library or CLI mentions is in ENV_VARIABLES (src/app/env.ts)', () => {
    const used = new Set<string>();
    for (const file of [...sources(join(root, 'src')), ...sources(join(root, 'migrations'))]) {
      for (const match of readFileSync(file, 'utf8').matchAll(NAME)) used.add(match[0]);
    }
    expect([...used].filter((name) => !listed.includes(name)).sort()).toEqual([]);
  });

  it('the README table has one row per variable, in the same order', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]);
    expect(rows).toEqual(listed);
  });

  it('are read one way: blank is unset, values are trimmed, unknown names are a programming error', () => {
    expect(envValue({ AUTHKEEP_DATABASE_SCHEMA: '  ' }, 'AUTHKEEP_DATABASE_SCHEMA')).toBeUndefined();
    expect(envValue({ AUTHKEEP_DATABASE_SCHEMA: ' auth ' }, 'AUTHKEEP_DATABASE_SCHEMA')).toBe('auth');
    expect(() => envValue({}, 'AUTHKEEP_NOT_A_VARIABLE')).toThrow(/not in ENV_VARIABLES/);
  });
});
