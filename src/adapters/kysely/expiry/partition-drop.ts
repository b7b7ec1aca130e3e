import { sql } from 'kysely';
import type { SqlStore } from '../sql-store.js';
import { countPartitionRows, holdsLiveSession, type SessionPartition } from './session-partitions.js';

export interface DroppedPartition extends SessionPartition {
  rows: number;
}

export interface DropOutcome {
  dropped: DroppedPartition[];
  /** Kept: a session in it is live (its expiry was moved past its bucket's day). */
  live: SessionPartition[];
  /** Left for the next sweep: another sweep is on it, or (PostgreSQL < 14) the lock did not come in time. */
  busy: SessionPartition[];
}

/** SQLSTATEs of a partition another sweep detached or dropped first, or a lock that did not come in time. */
const TAKEN = new Set(['42P01', '55000', '55P03', '42P16', '42P17', '42809']);
/** The SQLSTATE of a raw driver error, or of the one an authkeep error carries as its cause. */
const codeOf = (error: unknown) => {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.cause?.code ?? e.code;
};

/** SQLSTATE of a statement that cannot run inside a transaction block. */
const IN_TRANSACTION = '25001';

/** How long a locked drop waits for ACCESS EXCLUSIVE on the parent: readers queue behind it. */
const LOCKED_DROP_TIMEOUT = '250ms';

/**
 * Drops the ended partitions that hold no session live at `now`. PostgreSQL 14+: `detach … concurrently`,
 * which never makes a reader wait (the partition leaves the plans of statements started after it), then a
 * second look for a live session in the detached table (one extended meanwhile: it is attached again),
 * then a drop of a table no statement can reach. Before 14, and behind a transaction pooler (where every
 * statement is wrapped in a transaction): one transaction holding ACCESS EXCLUSIVE on `sessions` for the
 * check, detaches and drops, given up after LOCKED_DROP_TIMEOUT (sweep over a direct URL to avoid it).
 */
export async function dropEndedPartitions(
  store: SqlStore,
  ended: readonly SessionPartition[],
  now: Date,
): Promise<DropOutcome> {
  const cutoff = store.codec.timestamp(now);
  const outcome: DropOutcome = { dropped: [], live: [], busy: [] };
  const candidates: SessionPartition[] = [];
  for (const partition of ended) {
    if (partition.detachPending) {
      // An interrupted concurrent detach: finish it, then treat the table like any detached one.
      await detachedThenDropped(store, partition, cutoff, outcome, 'finalize');
      continue;
    }
    // Checked first without a lock: a partition kept alive costs no one a wait.
    try {
      ((await holdsLiveSession(store.db, partition, cutoff)) ? outcome.live : candidates).push(partition);
    } catch (error) {
      if (!TAKEN.has(codeOf(error) ?? '')) throw error;
      outcome.busy.push(partition); // another sweep dropped it since the list was read
    }
  }
  if (candidates.length === 0) return outcome;
  if (!(await concurrentDetach(store))) return lockedDrop(store, candidates, cutoff, outcome);
  for (const [index, partition] of candidates.entries()) {
    try {
      await detachedThenDropped(store, partition, cutoff, outcome, 'concurrently');
    } catch (error) {
      // Behind a transaction pooler every statement runs inside a transaction, where this cannot.
      if (index > 0 || codeOf(error) !== IN_TRANSACTION) throw error;
      return lockedDrop(store, candidates, cutoff, outcome);
    }
  }
  return outcome;
}

async function concurrentDetach(store: SqlStore): Promise<boolean> {
  const { rows } = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(
    store.db,
  );
  return Number(rows[0]?.v) >= 140000;
}

async function detachedThenDropped(
  store: SqlStore,
  partition: SessionPartition,
  cutoff: unknown,
  outcome: DropOutcome,
  mode: 'concurrently' | 'finalize',
): Promise<void> {
  const table = sql.id(partition.name);
  try {
    const rows = await countPartitionRows(store, partition);
    await store.run(
      (db) =>
        sql`alter table ${sql.id(partition.parent)} detach partition ${table} ${sql.raw(mode)}`.execute(db),
      { idempotent: false, entity: 'session' },
    );
    if (await holdsLiveSession(store.db, partition, cutoff)) {
      // Extended between the first look and the detach: back it goes (a scan of its rows, no reader waits).
      await sql`alter table ${sql.id(partition.parent)} attach partition ${table}
        for values from (${sql.lit(partition.bucket)}) to (${sql.lit(partition.bucket + 1)})`.execute(
        store.db,
      );
      outcome.live.push(partition);
      return;
    }
    await sql`drop table ${table}`.execute(store.db);
    outcome.dropped.push({ ...partition, rows });
  } catch (error) {
    if (!TAKEN.has(codeOf(error) ?? '')) throw error;
    outcome.busy.push(partition);
  }
}

async function lockedDrop(
  store: SqlStore,
  candidates: readonly SessionPartition[],
  cutoff: unknown,
  outcome: DropOutcome,
): Promise<DropOutcome> {
  // One parent per call (the sweep drops each parent's partitions in turn).
  const parent = sql.id(candidates[0]?.parent ?? 'sessions');
  // Counted before the lock, so the count keeps no one waiting.
  const rows = new Map<SessionPartition, number>();
  for (const partition of candidates) rows.set(partition, await countPartitionRows(store, partition));
  try {
    const dropped = await store.transaction(
      async (trx) => {
        await sql`set local lock_timeout = ${sql.lit(LOCKED_DROP_TIMEOUT)}`.execute(trx);
        await sql`lock table ${parent} in access exclusive mode`.execute(trx);
        const gone: SessionPartition[] = [];
        for (const partition of candidates) {
          if (await holdsLiveSession(trx, partition, cutoff)) continue;
          await sql`alter table ${parent} detach partition ${sql.id(partition.name)}`.execute(trx);
          await sql`drop table ${sql.id(partition.name)}`.execute(trx);
          gone.push(partition);
        }
        return gone;
      },
      { idempotent: true, entity: 'session' },
    );
    for (const partition of candidates) {
      if (dropped.includes(partition)) outcome.dropped.push({ ...partition, rows: rows.get(partition) ?? 0 });
      else outcome.live.push(partition);
    }
  } catch (error) {
    if (!TAKEN.has(codeOf(error) ?? '')) throw error;
    outcome.busy.push(...candidates);
  }
  return outcome;
}
