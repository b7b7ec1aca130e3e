import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '../support/postgres.js';
import { RedisServerProcess } from '../support/redis-server.js';
import { documentationFiles, snippetsOf, type Snippet } from './snippets.js';

// Every ```ts block of README.md and docs/*.md runs here as a user would run it: `import … from
// 'authkeep'` resolves through package.json "exports" to a fresh build (tsup into a temporary package
// directory, the same files `npm pack` ships), never to src/. Each block is type-checked against the
// built .d.ts, then run with tsx in an empty working directory. PostgreSQL blocks get DATABASE_URL
// pointing at a database of their own (created here, dropped after); Redis blocks a redis-server of
// their own. The conventions are written down for readers in docs/README.md.

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const snippets: Snippet[] = documentationFiles(root).flatMap((file) => snippetsOf(root, file));
const serverUrl = databaseUrl();

const pkg = join(root, '.tmp', `docs-snippets-${randomBytes(4).toString('hex')}`);
const fileOf = (index: number) => join(pkg, 'snippets', `snippet-${index}.ts`);
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
  mkdirSync(join(pkg, 'snippets'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  await run(bin('tsup'), ['--out-dir', join(pkg, 'dist'), '--silent'], { cwd: root, timeout: 280_000 });
  snippets.forEach((s, i) => writeFileSync(fileOf(i), `// ${s.where}\n${s.code}`));
  writeFileSync(
    join(pkg, 'tsconfig.json'),
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
      include: ['snippets/*.ts'],
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
  rmSync(pkg, { recursive: true, force: true });
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
    ])
      expect(pages, page).toContain(page);
  });

  it('type-check against the built package', async () => {
    const result = await run(bin('tsc'), ['-p', join(pkg, 'tsconfig.json')], {
      cwd: pkg,
      timeout: 180_000,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    // tsc names the failing file (snippet-N.ts); its first line says where the block is in the docs.
    expect(result.stdout).toBe('');
  }, 200_000);

  snippets.forEach((snippet, index) => {
    const missing = snippet.needsPostgres && !serverUrl;
    it.skipIf(missing)(
      `${snippet.where} runs`,
      async () => {
        const cwd = join(pkg, `work-${index}`);
        mkdirSync(cwd);
        const env: NodeJS.ProcessEnv = {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AUTHKEEP_LOG_LEVEL: 'warn',
          AUTHKEEP_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        };
        if (snippet.needsPostgres) env.DATABASE_URL = await freshDatabase();
        if (snippet.needsRedis) env.REDIS_URL = redis!.url;
        const result = await run(process.execPath, ['--import', 'tsx', fileOf(index)], {
          cwd,
          env,
          timeout: 90_000,
        })
          .then(() => 'ok')
          .catch((error: { stderr?: string; message: string }) => error.stderr || error.message);
        expect(result, `${snippet.where} failed`).toBe('ok');
      },
      120_000,
    );
  });
});
