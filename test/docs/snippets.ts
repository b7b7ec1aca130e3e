import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The ```ts (ES module) and ```cts (CommonJS) blocks of README.md and docs/*.md, each a whole program a
 * reader can paste into a file.
 * Which services a block needs is read from the environment variables it uses (see docs/README.md).
 */
export interface Snippet {
  /** `README.md:20`: the file and the line of the opening fence. */
  where: string;
  code: string;
  /** ` ```ts ` blocks are ES modules (a project with "type": "module"); ` ```cts ` blocks CommonJS. */
  format: 'esm' | 'cjs';
  needsPostgres: boolean;
  needsRedis: boolean;
}

export function documentationFiles(root: string): string[] {
  const docs = join(root, 'docs');
  const pages = readdirSync(docs)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(docs, name));
  return [join(root, 'README.md'), ...pages];
}

export function snippetsOf(root: string, file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i]!.trim();
    if (fence !== '```ts' && fence !== '```cts') continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && lines[i]!.trim() !== '```') body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: unclosed code fence`);
    const code = `${body.join('\n')}\n`;
    snippets.push({
      where: `${relative(root, file)}:${start + 1}`,
      code,
      format: fence === '```cts' ? 'cjs' : 'esm',
      needsPostgres: /\bDATABASE_URL\b/.test(code),
      needsRedis: /\bREDIS_URL\b/.test(code),
    });
  }
  return snippets;
}
