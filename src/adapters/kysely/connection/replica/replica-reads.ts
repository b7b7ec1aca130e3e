import type { CompiledQuery, Driver, QueryResult } from 'kysely';
import type pg from 'pg';
import { ConfigError } from '../../../../domain/errors.js';
import type { Logger } from '../../../../ports/system.js';
import { PreparedPostgresDriver } from '../pg-driver.js';
import { PrimaryPosition } from './primary-position.js';
import { ReplicaRouter, type ReplicaRoutingStats } from './replica-router.js';

export interface ReplicaOptions {
  /** Streaming replicas (hot standbys) of the primary for hot reads; see "Production topologies". */
  replicas?: string[];
  /** How long a read waits for a replica to replay the primary's position before reading the primary (default 250 ms). */
  replicaMaxLagMs?: number;
  /** How long a replica found down or lagging is skipped before it is tried again (default 5000 ms). */
  replicaRetryMs?: number;
}

export interface ReplicaReads {
  /** The primary's driver, whose destroy() also closes the replica pools. */
  driver: Driver;
  fastQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>>;
  router: ReplicaRouter;
}

function nonNegativeInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer`);
  return value;
}

/** Checks the replica options; returns the URLs to open (none when no replica is configured). */
export function replicaUrls(options: ReplicaOptions): string[] {
  const { replicas = [] } = options;
  if (
    !Array.isArray(replicas) ||
    !replicas.every((url) => typeof url === 'string' && /^postgres(ql)?:\/\//i.test(url))
  ) {
    throw new ConfigError('replicas must be a list of postgres:// URLs');
  }
  return replicas;
}

const routers = new WeakMap<object, ReplicaRouter>();

/**
 * Opens a pool per replica URL (with `createPool`, so they share the primary's settings) and routes the
 * hot reads of `primary` through a ReplicaRouter.
 */
export function openReplicaReads(
  urls: string[],
  options: ReplicaOptions,
  createPool: (url: string) => pg.Pool,
  primary: PreparedPostgresDriver,
  logger: Logger,
): ReplicaReads {
  const settings = {
    maxLagMs: nonNegativeInteger(options.replicaMaxLagMs, 250, 'replicaMaxLagMs'),
    retryAfterMs: nonNegativeInteger(options.replicaRetryMs, 5000, 'replicaRetryMs'),
  };
  const drivers = urls.map((url) => new PreparedPostgresDriver(createPool(url)));
  const runOnPrimary = <R>(compiled: CompiledQuery) => primary.fastQuery<R>(compiled);
  const router = new ReplicaRouter(
    runOnPrimary,
    new PrimaryPosition(runOnPrimary),
    drivers.map((driver, index) => ({
      name: `replica ${index + 1}`,
      acquire: () => driver.acquireConnection(),
      release: (connection) => driver.releaseConnection(connection),
      session: (connection) => (connection as unknown as { client?: object }).client,
    })),
    settings,
    logger,
  );
  const driver: Driver = {
    init: () => primary.init(),
    acquireConnection: () => primary.acquireConnection(),
    beginTransaction: (connection, transaction) => primary.beginTransaction(connection, transaction),
    commitTransaction: (connection) => primary.commitTransaction(connection),
    rollbackTransaction: (connection) => primary.rollbackTransaction(connection),
    releaseConnection: (connection) => primary.releaseConnection(connection),
    async destroy() {
      await Promise.all([primary.destroy(), ...drivers.map((replica) => replica.destroy())]);
    },
  };
  return { driver, fastQuery: router.fastQuery, router };
}

/** Remembers which router serves a store's database, for replicaRoutingStats. */
export function registerReplicaRouter(db: object, router: ReplicaRouter): void {
  routers.set(db, router);
}

/** How many hot reads replicas and the primary served, for a store opened with `replicas` (else undefined). */
export function replicaRoutingStats(store: { db: object }): ReplicaRoutingStats | undefined {
  return routers.get(store.db)?.stats();
}
