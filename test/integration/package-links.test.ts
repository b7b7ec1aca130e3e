import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// What `npm pack` would ship (scripts skipped: the file list does not depend on a build), and every
// relative link of every Markdown file in it: a reader of the installed package follows them offline.
const root = resolve(import.meta.dirname, '../..');

function shippedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return (JSON.parse(out) as [{ files: { path: string }[] }])[0].files.map((file) => file.path);
}

/** Relative link targets of a Markdown file (no scheme, no pure anchor), without their `#fragment`. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0]!);
}

describe('the packed tarball', () => {
  it('ships every file its Markdown links to', () => {
    const files = shippedFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'SECURITY.md', 'LICENSE']));
    const broken: string[] = [];
    for (const page of files.filter((path) => path.endsWith('.md'))) {
      for (const target of relativeLinks(readFileSync(join(root, page), 'utf8'))) {
        const path = normalize(join(dirname(page), target));
        if (!files.includes(path)) broken.push(`${page} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  }, 60_000);
});
