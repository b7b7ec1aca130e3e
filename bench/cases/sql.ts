import type { PostgresStorageAdapter } from '../../src/index.js';

/** Sessions made one by one through the adapter (small tables: module setups that need real rows). */
export async function seedSessions(
  adapter: { createSession: PostgresStorageAdapter['createSession'] },
  n: number,
) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = await adapter.createSession({
      userId: `user-${i}`,
      entitlements: ['a', 'b'],
      metadata: { ip: '10.0.0.1' },
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    ids.push(s.id);
  }
  return ids;
}
