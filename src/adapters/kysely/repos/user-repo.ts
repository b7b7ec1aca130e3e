import { normalizeEmail } from '../../../domain/email/email.js';
import { ConflictError } from '../../../domain/errors.js';
import type { ExtraFields, ExtraFieldsPatch } from '../../../domain/fields/extra-fields.js';
import type { OAuthLink, UserRecord } from '../../../domain/records/records.js';
import type { Patch, UserRepo } from '../../../ports/repos.js';
import { prepare, slot } from '../prepared.js';
import { recoverInserted } from './recover.js';
import { TableAccess } from './table-access.js';
import { HEX_SESSIONS_TABLE, SessionDigestForms } from './sessions/digest-forms.js';
import type { SqlStore, Trx } from '../sql-store.js';
import { hasExtraChanges, updateWithExtra, withStoredExtra, writeExtra } from './extra-column.js';
import { optionalJson, patchColumns, reviveDates, text, type ColumnMap } from './mapping.js';

const entity = 'user';

/** Tables whose rows belong to one user and go when the user is deleted. */
const OWNED_BY_USER = [
  ['sessions', 'user_id'],
  ['api_keys', 'principal_id'],
  ['twofa_devices', 'user_id'],
  ['twofa_backup_codes', 'user_id'],
  ['twofa_sessions', 'user_id'],
  ['sso_links', 'user_id'],
  ['sso_sessions', 'user_id'],
  ['user_roles', 'user_id'],
  ['user_oauth_links', 'user_id'],
] as const;

export class KyselyUserRepo implements UserRepo {
  private readonly rows: TableAccess<UserRecord>;
  private readonly byId;
  private readonly byEmail;
  private readonly columns: ColumnMap<UserRecord>;

  private readonly sessionForms: SessionDigestForms;

  constructor(private readonly store: SqlStore) {
    this.sessionForms = new SessionDigestForms(store);
    this.rows = new TableAccess(store, 'users', entity, (row) => this.toRecord(row));
    const { db, codec } = store;
    this.byId = prepare<{ id: string }>(db.selectFrom('users').selectAll().where('id', '=', slot('id')));
    this.byEmail = prepare<{ email: string }>(
      db.selectFrom('users').selectAll().where('email_normalized', '=', slot('email')),
    );
    this.columns = {
      email: ['email', (v) => v],
      name: ['name', (v) => v],
      picture: ['picture', (v) => v],
      plan: ['plan', (v) => v],
      entitlements: ['entitlements', (v) => codec.array(v)],
      oauth: ['oauth', (v) => codec.json(v)],
      metadata: ['metadata', (v) => codec.json(v)],
    };
  }

  /** Built field by field rather than through compact(): this runs on every user read. */
  private toRecord(row: Record<string, unknown>): UserRecord {
    const { codec } = this.store;
    const record = { id: text(row.id) } as UserRecord;
    if (row.email !== null && row.email !== undefined) record.email = text(row.email);
    if (row.name !== null && row.name !== undefined) record.name = text(row.name);
    if (row.picture !== null && row.picture !== undefined) record.picture = text(row.picture);
    if (row.plan !== null && row.plan !== undefined) record.plan = text(row.plan);
    record.entitlements = codec.readArray(row.entitlements);
    // '{}' is what every user without a linked account stores: no parse for the common case.
    const links = row.oauth === '{}' ? undefined : optionalJson<Record<string, OAuthLink>>(codec, row.oauth);
    if (links && Object.keys(links).length > 0) record.oauth = reviveLinks(links);
    const metadata = optionalJson<Record<string, unknown>>(codec, row.metadata);
    if (metadata !== undefined) record.metadata = metadata;
    record.createdAt = codec.readTimestamp(row.created_at);
    record.updatedAt = codec.readTimestamp(row.updated_at);
    return withStoredExtra(record, row.extra);
  }

  private emailColumns(patch: Patch<UserRecord>): Record<string, unknown> {
    if (!('email' in patch)) return {};
    return { email_normalized: patch.email === undefined ? null : normalizeEmail(patch.email) };
  }

  async insert(record: UserRecord, extra: ExtraFields): Promise<UserRecord> {
    const { codec } = this.store;
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('users')
          .values({
            id: record.id,
            email: record.email ?? null,
            email_normalized: record.email === undefined ? null : normalizeEmail(record.email),
            name: record.name ?? null,
            picture: record.picture ?? null,
            plan: record.plan ?? null,
            metadata: record.metadata === undefined ? null : codec.json(record.metadata),
            entitlements: codec.array(record.entitlements),
            oauth: codec.json(record.oauth ?? {}),
            created_at: codec.timestamp(record.createdAt),
            updated_at: codec.timestamp(record.updatedAt),
            extra: writeExtra(extra),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('users', record.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  /** Without an async frame when SQLite answers at once: look-ups by id and email are hot reads. */
  private one(query: ReturnType<typeof this.byId>): Promise<UserRecord | null> {
    try {
      const row = this.store.firstRow<Record<string, unknown>>(query, { idempotent: true, entity });
      if (!(row instanceof Promise)) return Promise.resolve(row ? this.toRecord(row) : null);
      return row.then((found) => (found ? this.toRecord(found) : null));
    } catch (error) {
      return Promise.reject(error); // a corrupt row is a rejected IntegrityError, as from an async method
    }
  }

  findById(id: string): Promise<UserRecord | null> {
    return this.one(this.byId({ id }));
  }

  findByEmail(normalizedEmail: string): Promise<UserRecord | null> {
    return this.one(this.byEmail({ email: normalizedEmail }));
  }

  async findByOAuth(provider: string, sub: string): Promise<UserRecord | null> {
    const row = await this.store.run(
      (db) =>
        db
          .selectFrom('users')
          .innerJoin('user_oauth_links as l', 'l.user_id', 'users.id')
          .selectAll('users')
          .where('l.provider', '=', provider)
          .where('l.sub', '=', sub)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row ? this.toRecord(row) : null;
  }

  async update(
    id: string,
    patch: Patch<UserRecord>,
    extra: ExtraFieldsPatch,
    updatedAt: Date,
  ): Promise<UserRecord | null> {
    const values = {
      ...patchColumns(patch, this.columns),
      ...this.emailColumns(patch),
      updated_at: this.store.codec.timestamp(updatedAt),
    };
    if (!hasExtraChanges(extra)) return this.rows.updateById(id, values);
    return updateWithExtra(this.store, 'users', entity, id, values, extra, (row) => this.toRecord(row));
  }

  async delete(id: string): Promise<void> {
    // The sessions stored before migration 0009, on PostgreSQL (asked before the transaction takes a connection).
    const hexSessions = await this.sessionForms.hasHexTable();
    await this.store.transaction(
      async (trx) => {
        for (const [table, column] of OWNED_BY_USER) {
          await trx.deleteFrom(table).where(column, '=', id).execute();
        }
        if (hexSessions) {
          await trx
            .deleteFrom(HEX_SESSIONS_TABLE as 'sessions')
            .where('user_id', '=', id)
            .execute();
        }
        await trx.deleteFrom('email_verification_tokens').where('user_id', '=', id).execute();
        await trx.deleteFrom('users').where('id', '=', id).execute();
      },
      { idempotent: true, entity },
    );
  }

  async linkOAuth(userId: string, link: OAuthLink, updatedAt: Date): Promise<UserRecord | null> {
    return this.store.transaction((trx) => this.linkInTransaction(trx, userId, link, updatedAt), {
      idempotent: true,
      entity: 'oauthLink',
    });
  }

  private async linkInTransaction(trx: Trx, userId: string, link: OAuthLink, updatedAt: Date) {
    const { codec } = this.store;
    let select = trx.selectFrom('users').selectAll().where('id', '=', userId);
    if (this.store.dialect === 'postgres') select = select.forUpdate();
    const user = await select.executeTakeFirst();
    if (!user) return null;
    const owner = await trx
      .selectFrom('user_oauth_links')
      .select('user_id')
      .where('provider', '=', link.provider)
      .where('sub', '=', link.sub)
      .executeTakeFirst();
    if (owner && owner.user_id !== userId) {
      throw new ConflictError('this OAuth identity is already linked to another user', {
        details: { provider: link.provider },
      });
    }
    // One link per provider per user: relinking a provider replaces the previous identity.
    await trx
      .deleteFrom('user_oauth_links')
      .where('user_id', '=', userId)
      .where('provider', '=', link.provider)
      .where('sub', '!=', link.sub)
      .execute();
    if (!owner) {
      await trx
        .insertInto('user_oauth_links')
        .values({
          provider: link.provider,
          sub: link.sub,
          user_id: userId,
          linked_at: codec.timestamp(link.linkedAt),
        })
        .execute();
    }
    const links = optionalJson<Record<string, OAuthLink>>(codec, user.oauth) ?? {};
    links[link.provider] = link;
    const row = await trx
      .updateTable('users')
      .set({ oauth: codec.json(links), updated_at: codec.timestamp(updatedAt) })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.toRecord(row);
  }
}

function reviveLinks(links: Record<string, OAuthLink>): Record<string, OAuthLink> {
  const out: Record<string, OAuthLink> = {};
  for (const [provider, link] of Object.entries(links)) {
    out[provider] = reviveDates(link as unknown as Record<string, unknown>, [
      'linkedAt',
    ]) as unknown as OAuthLink;
  }
  return out;
}
