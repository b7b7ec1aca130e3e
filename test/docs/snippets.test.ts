import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '../support/postgres.js';
import { RedisServerProcess } from '../support/servers/redis-server.js';
import { documentationFiles, snippetsOf, type Snippet } from './snippets.js';

// Every ```ts (and ```cts) block of README.md and docs/*.md runs here as a user would run it: in a fresh
// project of its own, made the way the guides say (`npm init -y` writes "type": "commonjs"; an ESM guide
// says `npm pkg set type=module`), where `import … from 'authkeep'` resolves through node_modules and
// package.json "exports" to a fresh build (tsup into a temporary package directory, the files `npm pack`
// ships), never to src/. All blocks are type-checked against the built .d.ts, then each runs with tsx
// (the guides in RERUN a second time, in the same directory and database). PostgreSQL blocks get
// DATABASE_URL pointing at a database of their own (created here, dropped after); Redis blocks a
// redis-server of their own. The conventions are written down for readers in docs/README.md.

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const snippets: Snippet[] = documentationFiles(root).flatMap((file) => snippetsOf(root, file));
const serverUrl = databaseUrl();

// base/authkeep is the built package; base/node_modules/authkeep links to it, as npm install would place it.
const base = join(root, '.tmp', `docs-snippets-${randomBytes(4).toString('hex')}`);
const pkg = join(base, 'authkeep');
const extension = (snippet: Snippet) => (snippet.format === 'cjs' ? 'cts' : 'ts');
const fileOf = (index: number) => join(base, 'snippets', `snippet-${index}.${extension(snippets[index]!)}`);
// Guides whose programs are also run a second time in the same directory and database, as a reader
// runs a program again (issue 25: the passkey guide's first user was "sequenceNumber 1" only once).
const RERUN = ['docs/passkey.md'];
const guideOf = (snippet: Snippet) => snippet.where.split(':')[0]!;
/** package.json of a new project: `npm init -y` (CommonJS), then `npm pkg set type=module` for ESM. */
const projectManifest = (snippet: Snippet, name: string) =>
  JSON.stringify({ name, version: '1.0.0', type: snippet.format === 'cjs' ? 'commonjs' : 'module' });
let redis: RedisServerProcess | undefined;
const databases: string[] = [];

async function freshDatabase(): Promise<string> {
  const name = `docs_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl! });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  databases.push(name);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  mkdirSync(join(base, 'snippets'), { recursive: true });
  mkdirSync(join(base, 'node_modules'), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(pkg, join(base, 'node_modules', 'authkeep'), 'dir');
  await run(bin('tsup'), ['--out-dir', join(pkg, 'dist'), '--silent'], { cwd: root, timeout: 280_000 });
  snippets.forEach((s, i) => writeFileSync(fileOf(i), `// ${s.where}\n${s.code}`));
  // The type check sees the blocks as their projects do: .ts as ES modules, .cts as CommonJS.
  writeFileSync(join(base, 'snippets', 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(base, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['snippets/*.ts', 'snippets/*.cts'],
    }),
  );
  if (snippets.some((s) => s.needsRedis)) redis = await RedisServerProcess.start();
}, 300_000);

afterAll(async () => {
  await redis?.destroy();
  if (serverUrl && databases.length > 0) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    for (const name of databases) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  rmSync(base, { recursive: true, force: true });
});

describe('documentation snippets', () => {
  it('finds the snippets of the README and every guide', () => {
    const pages = new Set(snippets.map((s) => s.where.split(':')[0]));
    for (const page of [
      'README.md',
      'docs/kitium.md',
      'docs/passkey.md',
      'docs/keyvalue.md',
      'docs/mitthooks.md',
      'docs/better-auth.md',
      'docs/authjs.md',
    ])
      expect(pages, page).toContain(page);
  });

  it('type-check against the built package', async () => {
    const result = await run(bin('tsc'), ['-p', join(base, 'tsconfig.json')], {
      cwd: base,
      timeout: 180_000,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    // tsc names the failing file (snippet-N.ts); its first line says where the block is in the docs.
    expect(result.stdout).toBe('');
  }, 200_000);

  snippets.forEach((snippet, index) => {
    const missing = snippet.needsPostgres && !serverUrl;
    it.skipIf(missing)(
      `${snippet.where} runs (${snippet.format === 'cjs' ? 'CommonJS' : 'ESM'})${RERUN.includes(guideOf(snippet)) ? ', and runs again' : ''}`,
      async () => {
        const cwd = join(base, `project-${index}`);
        mkdirSync(cwd);
        writeFileSync(join(cwd, 'package.json'), projectManifest(snippet, `project-${index}`));
        const file = join(cwd, `main.${extension(snippet)}`);
        copyFileSync(fileOf(index), file);
        const env: NodeJS.ProcessEnv = {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AUTHKEEP_LOG_LEVEL: 'warn',
          AUTHKEEP_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        };
        if (snippet.needsPostgres) env.DATABASE_URL = await freshDatabase();
        if (snippet.needsRedis) env.REDIS_URL = redis!.url;
        // CommonJS through tsx's require hook: its ESM loader trips over CommonJS dependencies on Node 20.
        const loader = snippet.format === 'cjs' ? ['--require', 'tsx/cjs'] : ['--import', 'tsx'];
        for (const attempt of RERUN.includes(guideOf(snippet)) ? ['first', 'second'] : ['first']) {
          const result = await run(process.execPath, [...loader, file], { cwd, env, timeout: 90_000 })
            .then(() => 'ok')
            .catch((error: { stderr?: string; message: string }) => error.stderr || error.message);
          expect(result, `${snippet.where} failed on its ${attempt} run`).toBe('ok');
        }
      },
      200_000,
    );
  });

  it("a fresh project's default module format is CommonJS, so the ESM guides say how to switch", () => {
    const guides = documentationFiles(root).filter((file) =>
      snippetsOf(root, file).some((s) => s.format === 'esm'),
    );
    for (const guide of guides) {
      expect(readFileSync(guide, 'utf8'), relative(root, guide)).toMatch(/npm pkg set type=module/);
    }
  });
});
