import type { ExtraFields } from '../../../../domain/fields/extra-fields.js';
import type { SSOProviderType, SSOSession } from '../../../../domain/records/records.js';
import type { CipherPort } from '../../../../ports/cipher.js';
import type { SsoSessionRepo } from '../../../../ports/sso-repos.js';
import { columnCipher, type ColumnCipher } from '../../sealing/encrypted-columns.js';
import { prepare, slot } from '../../prepared.js';
import { recoverInserted } from '../recover.js';
import type { SqlStore } from '../../sql-store.js';
import { withStoredExtra, writeExtra } from '../extra-column.js';
import { compact, text } from '../mapping.js';

const entity = 'ssoSession';

/** SSO sessions; the IdP session token is stored only as an envelope bound to the row id. */
export class KyselySsoSessionRepo implements SsoSessionRepo {
  private readonly tokens: ColumnCipher;
  private readonly byId;

  constructor(
    private readonly store: SqlStore,
    cipher: CipherPort,
  ) {
    this.tokens = columnCipher(cipher, 'sso_sessions', 'session_token');
    this.byId = prepare<{ id: string }>(
      store.db.selectFrom('sso_sessions').selectAll().where('id', '=', slot('id')),
    );
  }

  private toRecord(row: Record<string, unknown>): SSOSession {
    const { codec } = this.store;
    const id = text(row.id);
    const record = compact({
      id,
      userId: text(row.user_id),
      providerId: text(row.provider_id),
      providerType: text(row.provider_type) as SSOProviderType,
      providerSubject: text(row.provider_subject),
      sessionToken: this.tokens.read(id, row.session_token) ?? undefined,
      expiresAt: codec.readTimestamp(row.expires_at),
      linkedAt: codec.readTimestamp(row.linked_at),
      lastAuthAt: codec.readTimestamp(row.last_auth_at),
    });
    return withStoredExtra(record, row.extra);
  }

  async insert(session: SSOSession, extra: ExtraFields): Promise<SSOSession> {
    const { codec } = this.store;
    const sessionToken = this.tokens.write(session.id, session.sessionToken ?? null);
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('sso_sessions')
          .values({
            id: session.id,
            user_id: session.userId,
            provider_id: session.providerId,
            provider_type: session.providerType,
            provider_subject: session.providerSubject,
            session_token: sessionToken,
            expires_at: codec.timestamp(session.expiresAt),
            linked_at: codec.timestamp(session.linkedAt),
            last_auth_at: codec.timestamp(session.lastAuthAt),
            extra: writeExtra(extra),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('sso_sessions', session.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<SSOSession | null> {
    const rows = await this.store.query<Record<string, unknown>>(this.byId({ id }), {
      idempotent: true,
      entity,
    });
    return rows[0] ? this.toRecord(rows[0]) : null;
  }
}
