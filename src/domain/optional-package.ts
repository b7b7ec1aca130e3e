import { ConfigError } from './errors.js';

/**
 * Loads an optional peer dependency (a driver) through `load` (a createRequire of the caller), so a
 * backend's package is needed only when that backend is used; a missing one is a `config` error naming it.
 */
export function requireOptionalPackage<T>(load: (name: string) => unknown, name: string, usedFor: string): T {
  try {
    return load(name) as T;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    if (code === 'MODULE_NOT_FOUND' && message.includes(`'${name}'`)) {
      throw new ConfigError(`${usedFor} needs the "${name}" package: npm install ${name}`, {
        cause: error,
        details: { package: name },
      });
    }
    throw error;
  }
}
