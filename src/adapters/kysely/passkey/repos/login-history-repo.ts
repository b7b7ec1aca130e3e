import type { LoginHistoryEntry } from '../../../../domain/passkey/records.js';
import type { ValidLoginHistoryInput, ValidLoginHistoryQuery } from '../../../../domain/passkey/rules.js';
import type { PasskeySql } from '../context.js';
import { toLoginEntry } from './rows.js';

const entity = 'oauth2-passkey login history entry';

/**
 * `{prefix}login_history`. On SQLite the range filters compare TEXT, as the crate's do: both sides write
 * RFC 3339 UTC with `+00:00` and 0/3/6/9 fraction digits, which sorts in time order.
 */
export class LoginHistoryRepo {
  constructor(private readonly sql: PasskeySql) {}

  async recordLogin(entry: ValidLoginHistoryInput): Promise<LoginHistoryEntry> {
    const { codec } = this.sql;
    const row = await this.sql.run(
      (db) =>
        db
          .insertInto('login_history')
          .values({
            user_id: entry.userId,
            timestamp: codec.timestamp(entry.timestamp),
            auth_method: entry.authMethod,
            ip_address: entry.ipAddress,
            user_agent: entry.userAgent,
            success: codec.bool(entry.success),
            credential_id: entry.credentialId,
            provider: entry.provider,
            provider_user_id: entry.providerUserId,
            failure_reason: entry.failureReason,
            aaguid: entry.aaguid,
            email: entry.email,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      // A lost connection after the insert would record the login twice: not retried.
      { idempotent: false, entity },
    );
    return toLoginEntry(row, codec);
  }

  /** Newest first, optionally bounded (inclusive) by from/to, filtered by user and outcome; paged. */
  async query(query: ValidLoginHistoryQuery): Promise<LoginHistoryEntry[]> {
    const { codec } = this.sql;
    const rows = await this.sql.run(
      (db) =>
        db
          .selectFrom('login_history')
          .selectAll()
          .$if(query.userId !== undefined, (qb) => qb.where('user_id', '=', query.userId as string))
          .$if(query.success !== undefined, (qb) =>
            qb.where('success', '=', codec.bool(query.success as boolean)),
          )
          .$if(query.from !== undefined, (qb) =>
            qb.where('timestamp', '>=', codec.timestamp(query.from as Date)),
          )
          .$if(query.to !== undefined, (qb) => qb.where('timestamp', '<=', codec.timestamp(query.to as Date)))
          .orderBy('timestamp', 'desc')
          // The crate orders by timestamp only; the id makes equal timestamps page deterministically.
          .orderBy('id', 'desc')
          .limit(query.limit)
          .offset(query.offset)
          .execute(),
      { idempotent: true, entity },
    );
    return rows.map((row) => toLoginEntry(row, codec));
  }

  /** Retention: deletes entries strictly older than `cutoff`; returns how many went. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    const result = await this.sql.run(
      (db) =>
        db
          .deleteFrom('login_history')
          .where('timestamp', '<', this.sql.codec.timestamp(cutoff))
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(result.numDeletedRows);
  }
}
