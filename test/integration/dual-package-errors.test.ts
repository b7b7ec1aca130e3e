import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The ESM and CJS builds are two copies of every class: an app whose code `import`s authkeep while a
// dependency `require`s it gets errors from one copy and checks them with the other.
const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const pkg = join(root, '.tmp', `dual-errors-${randomBytes(4).toString('hex')}`);

const CHECK = `
import { createRequire } from 'node:module';
const esm = await import('authkeep');
const cjs = createRequire(import.meta.url)('authkeep');
if (esm.AuthkeepError === cjs.AuthkeepError) throw new Error('one copy only: the test proves nothing');
const thrown = (lib) => { try { lib.createAuthStorage({ database: 'mysql://db/x' }); } catch (e) { return e; } };
const answers = {};
for (const [from, by] of [[esm, cjs], [cjs, esm]]) {
  const error = thrown(from);
  const side = from === esm ? 'esm→cjs' : 'cjs→esm';
  answers[side] = {
    isAuthkeepError: by.isAuthkeepError(error),
    instanceofBase: error instanceof by.AuthkeepError,
    instanceofConfig: error instanceof by.ConfigError,
    instanceofValidation: error instanceof by.ValidationError,
    code: error.code,
    name: error.name,
    lookalike: by.isAuthkeepError(Object.assign(new Error('x'), { name: 'ConfigError', code: 'config' })),
    lookalikeInstance: Object.assign(new Error('x'), { name: 'ConfigError' }) instanceof by.ConfigError,
  };
}
console.log(JSON.stringify(answers));
`;

beforeAll(async () => {
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  await run(join(root, 'node_modules', '.bin', 'tsup'), ['--out-dir', join(pkg, 'dist'), '--silent'], {
    cwd: root,
    timeout: 180_000,
  });
  writeFileSync(join(pkg, 'check.mjs'), CHECK);
}, 200_000);

afterAll(() => rmSync(pkg, { recursive: true, force: true }));

describe('errors across the ESM and CJS copies of the built package', () => {
  it('are recognised by isAuthkeepError and instanceof of the other copy, in both directions', async () => {
    const { stdout } = await run(process.execPath, [join(pkg, 'check.mjs')], { cwd: pkg, timeout: 60_000 });
    const expected = {
      isAuthkeepError: true,
      instanceofBase: true,
      instanceofConfig: true,
      instanceofValidation: false,
      code: 'config',
      name: 'ConfigError',
      lookalike: false,
      lookalikeInstance: false,
    };
    expect(JSON.parse(stdout)).toEqual({ 'esm→cjs': expected, 'cjs→esm': expected });
  }, 60_000);
});
