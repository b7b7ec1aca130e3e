import type { ExtraFields } from '../../../domain/fields/extra-fields.js';
import type { AuthEvent } from '../../../domain/records/records.js';
import type { EventLog } from '../../../ports/repos.js';
import type { SqlStore } from '../sql-store.js';
import { withStoredExtra, writeExtra } from './extra-column.js';
import { compact, optionalText, text } from './mapping.js';

const entity = 'authEvent';

export class KyselyEventLog implements EventLog {
  constructor(private readonly store: SqlStore) {}

  async append(event: AuthEvent, extra: ExtraFields): Promise<void> {
    const { codec } = this.store;
    await this.store.run(
      (db) =>
        db
          .insertInto('auth_events')
          .values({
            type: event.type,
            principal_id: event.principalId,
            org_id: event.orgId ?? null,
            data: codec.json(event.data),
            timestamp: codec.timestamp(event.timestamp),
            extra: writeExtra(extra),
          })
          .execute(),
      { idempotent: false, entity },
    );
  }

  async listByPrincipal(principalId: string, limit: number): Promise<AuthEvent[]> {
    const { codec } = this.store;
    const rows = await this.store.run(
      (db) =>
        db
          .selectFrom('auth_events')
          .selectAll()
          .where('principal_id', '=', principalId)
          .orderBy('timestamp', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute(),
      { idempotent: true, entity },
    );
    return rows.map((row) =>
      withStoredExtra(
        compact({
          type: text(row.type),
          principalId: text(row.principal_id),
          orgId: optionalText(row.org_id),
          data: codec.readJson<Record<string, unknown>>(row.data) ?? {},
          timestamp: codec.readTimestamp(row.timestamp),
        }),
        row.extra,
      ),
    );
  }
}
