import { envValue, type Env } from './env.js';

/** The read replicas configured, else AUTHKEEP_DATABASE_REPLICA_URLS (comma- or space-separated), else none. */
export function resolveReplicaUrls(
  replicas: string[] | undefined,
  env: Env = process.env,
): string[] | undefined {
  if (replicas !== undefined) return replicas;
  const fromEnv = envValue(env, 'AUTHKEEP_DATABASE_REPLICA_URLS');
  // openPostgres checks each scheme; the values may carry passwords, so they are never echoed.
  return fromEnv ? fromEnv.split(/[\s,]+/).filter(Boolean) : undefined;
}
