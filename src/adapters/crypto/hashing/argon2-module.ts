import { createRequire } from 'node:module';
import type * as Argon2 from 'argon2';
import { requireOptionalPackage } from '../../../domain/optional-package.js';

// argon2 is an optional peer dependency: loaded on the first hash or verify, not at import.
const load = createRequire(import.meta.url);
let argon2: typeof Argon2 | undefined;

export function argon2Module(): typeof Argon2 {
  return (argon2 ??= requireOptionalPackage<typeof Argon2>(load, 'argon2', 'password hashing (argon2id)'));
}
