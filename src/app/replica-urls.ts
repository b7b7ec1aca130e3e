/** The read replicas configured, else AUTHKEEP_DATABASE_REPLICA_URLS (comma- or space-separated), else none. */
export function resolveReplicaUrls(
  replicas: string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  if (replicas !== undefined) return replicas;
  const fromEnv = env.AUTHKEEP_DATABASE_REPLICA_URLS?.trim();
  // openPostgres checks each scheme; the values may carry passwords, so they are never echoed.
  return fromEnv ? fromEnv.split(/[\s,]+/).filter(Boolean) : undefined;
}
