import { CompiledQuery, type QueryResult } from 'kysely';
import { lastRecordEnd, parseLsn, parseSizeSetting, type Lsn } from './lsn.js';

type RunOnPrimary = <R>(compiled: CompiledQuery) => Promise<QueryResult<R>>;

// The insert position covers every commit already acknowledged, even with synchronous_commit = off.
const POSITION = CompiledQuery.raw(
  "select pg_current_wal_insert_lsn()::text as lsn, current_setting('wal_block_size') as block, current_setting('wal_segment_size') as segment",
);

/**
 * The primary's WAL position, read on the primary *after* the caller asked: every commit acknowledged
 * before the call is at or below it, whichever process made it. Concurrent callers share one round trip
 * (a fetch already sent may predate a caller, who then waits for the next one), so the primary sees at
 * most two of these small statements in flight, however many reads there are.
 */
export class PrimaryPosition {
  private inflight: Promise<Lsn> | undefined;
  private next: Promise<Lsn> | undefined;
  /** How many position statements were sent to the primary. */
  fetches = 0;

  constructor(private readonly runOnPrimary: RunOnPrimary) {}

  /** A position at or past the end of every commit acknowledged before this call. */
  after(): Promise<Lsn> {
    if (this.inflight === undefined) return this.launch();
    this.next ??= this.inflight
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.next = undefined;
        return this.launch();
      });
    return this.next;
  }

  private launch(): Promise<Lsn> {
    const fetch = this.fetch().finally(() => {
      if (this.inflight === fetch) this.inflight = undefined;
    });
    this.inflight = fetch;
    return fetch;
  }

  private async fetch(): Promise<Lsn> {
    this.fetches += 1;
    const { rows } = await this.runOnPrimary<{ lsn: string; block: string; segment: string }>(POSITION);
    const row = rows[0];
    if (!row) throw new Error('the primary returned no WAL position');
    return lastRecordEnd(parseLsn(row.lsn), parseSizeSetting(row.block), parseSizeSetting(row.segment));
  }
}
