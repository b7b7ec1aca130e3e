import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  asPostgres,
  BIN,
  freePort,
  OwnPostgres,
  ownedTempDir,
  pgCtlStart,
  pgCtlStop,
} from './own-postgres.js';

const run = promisify(execFile);

/**
 * A hot standby of an OwnPostgres: `pg_basebackup -R` (which writes standby.signal and the
 * primary_conninfo) into its own data dir, started on its own spare port, streaming from the primary.
 */
export class OwnReplica {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(primary: OwnPostgres): Promise<OwnReplica> {
    const dir = await ownedTempDir('authkeep-replica-');
    await asPostgres(`${BIN}/pg_basebackup`, [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      join(dir, 'data'),
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ]);
    const replica = new OwnReplica(dir, await freePort());
    await replica.start();
    return replica;
  }

  async start(): Promise<void> {
    await pgCtlStart(this.dir, this.port, ['hot_standby=on']);
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await pgCtlStop(this.dir, mode);
  }

  /** Runs one statement on the standby (pause/resume replay, read its replay position). */
  async sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  }

  pauseReplay(): Promise<unknown> {
    return this.sql('select pg_wal_replay_pause()');
  }

  resumeReplay(): Promise<unknown> {
    return this.sql('select pg_wal_replay_resume()');
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A primary (wal_level=replica, PostgreSQL 15's default) with `count` streaming standbys. */
export interface ReplicatedPostgres {
  primary: OwnPostgres;
  replicas: OwnReplica[];
  /** Resolves once every standby has replayed the primary's current WAL position. */
  caughtUp(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startReplicatedPostgres(count = 1): Promise<ReplicatedPostgres> {
  const primary = await OwnPostgres.create();
  const replicas: OwnReplica[] = [];
  const destroy = async () => {
    await Promise.all(replicas.map((replica) => replica.destroy()));
    await primary.destroy();
  };
  try {
    for (let index = 0; index < count; index += 1) replicas.push(await OwnReplica.create(primary));
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    primary,
    replicas,
    destroy,
    async caughtUp() {
      const client = new pg.Client({ connectionString: primary.url });
      await client.connect();
      const target = (await client.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn'))
        .rows[0]!.lsn;
      await client.end();
      for (const replica of replicas) {
        for (let tries = 0; ; tries += 1) {
          const [row] = await replica.sql<{ ok: boolean }>(
            `select pg_last_wal_replay_lsn() >= '${target}'::pg_lsn as ok`,
          );
          if (row?.ok) break;
          if (tries > 600) throw new Error('standby did not catch up within 60 s');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
  };
}

/** Whether the PostgreSQL server binaries these helpers need are installed. */
export async function replicationToolsAvailable(): Promise<boolean> {
  try {
    await run(`${BIN}/pg_basebackup`, ['--version']);
    return true;
  } catch {
    return false;
  }
}
