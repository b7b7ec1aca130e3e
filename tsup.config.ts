import { defineConfig } from 'tsup';

// Source maps only when asked (AUTHKEEP_BUILD_SOURCEMAP=1): the published tarball ships none.
const sourcemap = process.env.AUTHKEEP_BUILD_SOURCEMAP === '1';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      authjs: 'src/app/authjs/index.ts',
      'better-auth': 'src/app/better-auth/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap,
    clean: true,
    target: 'node20',
    // The CommonJS build needs import.meta.url for createRequire, which loads the optional drivers.
    shims: true,
  },
  {
    entry: { cli: 'src/app/cli/main.ts' },
    format: ['esm'],
    sourcemap,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
