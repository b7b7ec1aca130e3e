import { CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely';
import type { Logger } from '../../../../ports/system.js';
import { formatLsn, parseLsn, type Lsn } from './lsn.js';
import type { PrimaryPosition } from './primary-position.js';

type FastQuery = <R>(compiled: CompiledQuery) => Promise<QueryResult<R>>;

/** One standby: where its connections come from, and whether reads currently skip it. */
export interface ReplicaTarget {
  /** How logs name it (`replica 1`): never the URL, which may carry a password. */
  name: string;
  acquire(): Promise<DatabaseConnection>;
  release(connection: DatabaseConnection): Promise<void>;
  /** The server session behind a connection (stable while the session lives), or undefined if unknown. */
  session(connection: DatabaseConnection): object | undefined;
}

export interface ReplicaRouterSettings {
  /** How long a read waits for a replica to replay past the primary's position before using the primary. */
  maxLagMs: number;
  /** How long a replica found down or lagging is skipped before a read tries it again. */
  retryAfterMs: number;
}

export interface ReplicaRoutingStats {
  /** Reads served by a replica. */
  replica: number;
  /** Routable reads that went to the primary (no replica usable, or it had not caught up in time). */
  primary: number;
  /** WAL-position statements the primary ran for them (shared by concurrent reads). */
  positionReads: number;
}

const REPLAY = CompiledQuery.raw('select pg_last_wal_replay_lsn()::text as lsn');
// Only plain single-statement reads are routed; a locking read is a write in disguise.
const ROUTABLE = /^\s*select\s/i;

/** SQLSTATE class 42 (syntax error or access rule violation): the statement's fault, on any server. */
const isStatementError = (error: unknown): boolean =>
  /^42/.test(String((error as { code?: unknown } | null)?.code ?? ''));
const LOCKING = /\bfor\s+(update|no\s+key\s+update|share|key\s+share)\b/i;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class ReplicaState {
  skipUntil = 0;
  problem: string | undefined;
  constructor(readonly target: ReplicaTarget) {}
}

/**
 * Sends hot reads to streaming replicas without ever serving a credential revoked or changed before the
 * read began: the read first learns the primary's WAL position (read on the primary after the read
 * started, so it covers every earlier commit of every process), then, on one replica connection, waits
 * until `pg_last_wal_replay_lsn()` has reached it, and only then runs the query on that same connection
 * (a later statement, so its snapshot includes everything replayed). Replicas that are down, not a
 * standby, or still behind after `maxLagMs` are skipped for `retryAfterMs`; each change is logged once.
 */
export class ReplicaRouter {
  private readonly replicas: ReplicaState[];
  private turn = 0;
  private readonly counts = { replica: 0, primary: 0 };
  // Replay position last seen per replica session: replay only moves forward while a session lives
  // (a standby restart ends every session), so a session already past the target needs no check.
  private readonly replayedBySession = new WeakMap<object, Lsn>();

  constructor(
    private readonly primary: FastQuery,
    private readonly position: PrimaryPosition,
    replicas: ReplicaTarget[],
    private readonly settings: ReplicaRouterSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.replicas = replicas.map((target) => new ReplicaState(target));
  }

  stats(): ReplicaRoutingStats {
    return { ...this.counts, positionReads: this.position.fetches };
  }

  readonly fastQuery: FastQuery = async <R>(compiled: CompiledQuery): Promise<QueryResult<R>> => {
    if (!ROUTABLE.test(compiled.sql) || LOCKING.test(compiled.sql)) return this.primary<R>(compiled);
    const replica = this.pick();
    if (replica) {
      const served = await this.readFrom<R>(replica, compiled);
      if (served) {
        this.counts.replica += 1;
        return served;
      }
    }
    this.counts.primary += 1;
    return this.primary<R>(compiled);
  };

  /** Round robin over the replicas not currently skipped. */
  private pick(): ReplicaState | undefined {
    const now = this.now();
    for (let index = 0; index < this.replicas.length; index += 1) {
      const replica = this.replicas[(this.turn + index) % this.replicas.length]!;
      if (replica.skipUntil <= now) {
        this.turn = (this.turn + index + 1) % this.replicas.length;
        return replica;
      }
    }
    return undefined;
  }

  /** The query's result from `replica`, or undefined when the replica could not serve it safely. */
  private async readFrom<R>(
    replica: ReplicaState,
    compiled: CompiledQuery,
  ): Promise<QueryResult<R> | undefined> {
    let target: Lsn;
    try {
      target = await this.position.after();
    } catch {
      return undefined; // the primary is unreachable: its own read reports that
    }
    let connection: DatabaseConnection;
    try {
      connection = await replica.target.acquire();
    } catch (error) {
      this.skip(replica, 'unreachable', error);
      return undefined;
    }
    try {
      const session = replica.target.session(connection);
      const known = session && this.replayedBySession.get(session);
      const started = this.now();
      for (let pause = 1; known === undefined || known < target; pause = Math.min(pause * 2, 25)) {
        const { rows } = await connection.executeQuery<{ lsn: string | null }>(REPLAY);
        const replayed = rows[0]?.lsn;
        if (replayed === null || replayed === undefined) {
          this.skip(replica, 'not a standby (pg_last_wal_replay_lsn() is null)');
          return undefined;
        }
        const position = parseLsn(replayed);
        if (session) this.replayedBySession.set(session, position);
        if (position >= target) break;
        if (this.now() - started >= this.settings.maxLagMs) {
          this.skip(replica, `lagging: replayed ${replayed}, needs ${formatLsn(target)}`);
          return undefined;
        }
        await sleep(pause);
      }
      const result = await connection.executeQuery<R>(compiled);
      this.recovered(replica);
      return result;
    } catch (error) {
      // The statement's own fault (an undefined table: a session partition a sweep dropped) would fail on
      // the primary too: it is the caller's answer, not a reason to stop reading from this replica.
      if (isStatementError(error)) throw error;
      this.skip(replica, 'query failed', error);
      return undefined;
    } finally {
      await replica.target.release(connection).catch(() => undefined);
    }
  }

  private skip(replica: ReplicaState, problem: string, error?: unknown): void {
    replica.skipUntil = this.now() + this.settings.retryAfterMs;
    const kind = problem.split(':')[0];
    if (replica.problem === kind) return;
    replica.problem = kind;
    const code = (error as { code?: string } | undefined)?.code;
    this.logger.warn(
      { replica: replica.target.name, problem, ...(code ? { code } : {}) },
      'read replica skipped: reads go to the primary',
    );
  }

  private recovered(replica: ReplicaState): void {
    if (replica.problem === undefined) return;
    replica.problem = undefined;
    this.logger.info({ replica: replica.target.name }, 'read replica serving reads again');
  }
}
