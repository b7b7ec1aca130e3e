import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import { layersRule } from '../../eslint-rules/layers.js';

RuleTester.describe = describe;
RuleTester.it = it;

const root = process.cwd();
const at = (file: string) => path.join(root, file);
const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser as never, sourceType: 'module' },
});

tester.run('authkeep/layers', layersRule as never, {
  valid: [
    { filename: at('src/ports/repos.ts'), code: "import type { UserRecord } from '../domain/records.js';" },
    {
      filename: at('src/adapters/kysely/repos/user-repo.ts'),
      code: "import { x } from '../../../ports/repos.js'; import { y } from '../codec.js'; import { sql } from 'kysely';",
    },
    {
      filename: at('src/app/config.ts'),
      code: "import { openPostgres } from '../adapters/kysely/index.js'; import { kitiumMigrations } from '../../migrations/index.js';",
    },
    { filename: at('src/domain/email.ts'), code: "import { LIMITS } from './limits.js';" },
    {
      filename: at('migrations/0002.ts'),
      code: "import { normalizeEmail } from '../src/domain/email.js'; import type { Migration } from '../src/adapters/kysely/migrator.js';",
    },
  ],
  invalid: [
    {
      filename: at('src/domain/records.ts'),
      code: "import type { UserRepo } from '../ports/repos.js';",
      errors: [{ messageId: 'outward' }],
    },
    {
      filename: at('src/domain/email.ts'),
      code: "import { sql } from 'kysely';",
      errors: [{ messageId: 'package' }],
    },
    {
      filename: at('src/ports/repos.ts'),
      code: "import { SqlStore } from '../adapters/kysely/sql-store.js';",
      errors: [{ messageId: 'outward' }],
    },
    {
      filename: at('src/adapters/kysely/x.ts'),
      code: "import { MemoryCache } from '../cache/memory-cache.js';",
      errors: [{ messageId: 'outward' }],
    },
    {
      filename: at('src/adapters/cache/x.ts'),
      code: "export { createAuthStorage } from '../../app/config.js';",
      errors: [{ messageId: 'outward' }],
    },
    {
      filename: at('src/adapters/crypto/x.ts'),
      code: "const m = import('../../app/config.js');",
      errors: [{ messageId: 'outward' }],
    },
    {
      filename: at('migrations/0009.ts'),
      code: "import { x } from '../src/app/config.js';",
      errors: [{ messageId: 'outward' }],
    },
  ],
});
