import { existsSync } from 'node:fs';
import {
  PostgresStorageAdapter,
  replicaRoutingStats,
  silentLogger,
  type KitiumAdapterOptions,
  type KitiumStorageAdapter,
} from '../../../src/index.js';
import { startReplicatedPostgres } from '../../support/servers/own-replica.js';
import { freshSchemaName } from '../../support/postgres.js';
import type { BackendLocation, KitiumBackend } from './backends.js';

const toolsPresent = existsSync('/usr/lib/postgresql/15/bin/pg_basebackup');
if (!toolsPresent && process.env.REQUIRE_SERVICES === '1') {
  throw new Error(
    '[authkeep tests] PostgreSQL server binaries (pg_basebackup) required for the replica backend',
  );
}

/**
 * PostgreSQL with a streaming replica configured: a primary and a pg_basebackup standby of the test
 * file's own, so every hot read of the contract goes through the replica router. Cleanup fails if the
 * replica served none of them (the routing would then be untested).
 */
export function replicaBackend(
  options: KitiumAdapterOptions,
  opened: (adapter: KitiumStorageAdapter, location: BackendLocation) => void,
): KitiumBackend {
  return {
    name: 'postgres + streaming replica',
    dialect: 'postgres',
    available: () => toolsPresent,
    async open(label) {
      const servers = await startReplicatedPostgres(1);
      const schema = freshSchemaName(label);
      const adapter = new PostgresStorageAdapter(servers.primary.url, {
        schema,
        logger: silentLogger,
        max: 20,
        replicas: [servers.replicas[0]!.url],
        // A loaded CI machine may lag: wait long rather than quietly testing the primary instead.
        replicaMaxLagMs: 5_000,
        ...options,
      });
      opened(adapter, { url: servers.primary.url, schema });
      return {
        adapter,
        async cleanup() {
          const stats = replicaRoutingStats(adapter.sqlStore);
          await servers.destroy();
          if (stats && stats.primary > 0 && stats.replica === 0) {
            throw new Error(`the replica served none of ${stats.primary} routable reads`);
          }
        },
      };
    },
  };
}
