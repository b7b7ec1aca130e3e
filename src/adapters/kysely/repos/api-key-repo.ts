import type { ApiKeyRecord } from '../../../domain/records/records.js';
import type { ApiKeyRepo, PatchWithExtra, StoredApiKey } from '../../../ports/repos.js';
import { prepare, slot } from '../prepared.js';
import { recoverInserted } from './recover.js';
import { TableAccess } from './table-access.js';
import type { SqlStore } from '../sql-store.js';
import { hasExtraChanges, updateWithExtra } from './extra-column.js';
import {
  compact,
  optionalDate,
  optionalJson,
  optionalText,
  patchColumns,
  text,
  type ColumnMap,
} from './mapping.js';

const entity = 'apiKey';

export class KyselyApiKeyRepo implements ApiKeyRepo {
  private readonly rows: TableAccess<StoredApiKey>;
  private readonly byId;
  private readonly byHash;
  private readonly columns: ColumnMap<ApiKeyRecord>;

  constructor(private readonly store: SqlStore) {
    this.rows = new TableAccess(store, 'api_keys', entity, (row) => this.toRecord(row));
    const { db, codec } = store;
    this.byId = prepare<{ id: string }>(db.selectFrom('api_keys').selectAll().where('id', '=', slot('id')));
    this.byHash = prepare<{ hash: string }>(
      db.selectFrom('api_keys').selectAll().where('hash', '=', slot('hash')),
    );
    this.columns = {
      principalId: ['principal_id', (v) => v],
      hash: ['hash', (v) => v],
      prefix: ['prefix', (v) => v],
      lastFour: ['last_four', (v) => v],
      scopes: ['scopes', (v) => codec.array(v)],
      metadata: ['metadata', (v) => codec.json(v)],
      expiresAt: ['expires_at', (v) => codec.timestamp(v)],
    };
  }

  private toRecord(row: Record<string, unknown>): StoredApiKey {
    const { codec } = this.store;
    return compact<StoredApiKey>({
      id: text(row.id),
      principalId: text(row.principal_id),
      hash: text(row.hash),
      prefix: text(row.prefix),
      lastFour: text(row.last_four),
      scopes: codec.readArray(row.scopes),
      metadata: optionalJson<Record<string, string>>(codec, row.metadata),
      expiresAt: optionalDate(codec, row.expires_at),
      createdAt: codec.readTimestamp(row.created_at),
      updatedAt: codec.readTimestamp(row.updated_at),
      // Dated-JSON text until the facade, so a cache in between keeps the extra fields' Dates.
      extraFields: optionalText(row.extra),
    });
  }

  async insert(record: StoredApiKey): Promise<StoredApiKey> {
    const { codec } = this.store;
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('api_keys')
          .values({
            id: record.id,
            principal_id: record.principalId,
            hash: record.hash,
            prefix: record.prefix,
            last_four: record.lastFour,
            scopes: codec.array(record.scopes),
            metadata: record.metadata === undefined ? null : codec.json(record.metadata),
            expires_at: record.expiresAt === undefined ? null : codec.timestamp(record.expiresAt),
            created_at: codec.timestamp(record.createdAt),
            updated_at: codec.timestamp(record.updatedAt),
            extra: record.extraFields ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('api_keys', record.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  private async one(query: ReturnType<typeof this.byId>): Promise<StoredApiKey | null> {
    const rows = await this.store.query<Record<string, unknown>>(query, { idempotent: true, entity });
    return rows[0] ? this.toRecord(rows[0]) : null;
  }

  findById(id: string): Promise<StoredApiKey | null> {
    return this.one(this.byId({ id }));
  }

  findByHash(hash: string): Promise<StoredApiKey | null> {
    return this.one(this.byHash({ hash }));
  }

  async findByPrefixAndLastFour(prefix: string, lastFour: string): Promise<StoredApiKey[]> {
    const rows = await this.store.run(
      (db) =>
        db
          .selectFrom('api_keys')
          .selectAll()
          .where('prefix', '=', prefix)
          .where('last_four', '=', lastFour)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .execute(),
      { idempotent: true, entity },
    );
    return rows.map((row) => this.toRecord(row));
  }

  async listByPrincipal(principalId: string): Promise<StoredApiKey[]> {
    return this.rows.listNewestFirst('principal_id', principalId);
  }

  async update(
    id: string,
    patch: PatchWithExtra<ApiKeyRecord>,
    updatedAt: Date,
  ): Promise<StoredApiKey | null> {
    const values = {
      ...patchColumns(patch, this.columns),
      updated_at: this.store.codec.timestamp(updatedAt),
    };
    if (!hasExtraChanges(patch.extra)) return this.rows.updateById(id, values);
    return updateWithExtra(this.store, 'api_keys', entity, id, values, patch.extra, (row) =>
      this.toRecord(row),
    );
  }

  async delete(id: string): Promise<void> {
    await this.rows.deleteById(id);
  }
}
