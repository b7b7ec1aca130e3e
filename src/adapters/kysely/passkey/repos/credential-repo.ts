import { ConflictError, ValidationError } from '../../../../domain/errors.js';
import type {
  CounterUpdate,
  PasskeyCredential,
  PasskeyCredentialInput,
} from '../../../../domain/passkey/records.js';
import type { PasskeySql } from '../context.js';
import { toCredential } from './rows.js';

const entity = 'oauth2-passkey credential';

/** The PostgreSQL column is int4 while the counter is a u32: larger values cannot be stored there. */
const POSTGRES_MAX_COUNTER = 2_147_483_647;

export const CREDENTIAL_COLUMNS = {
  credentialId: 'credential_id',
  userId: 'user_id',
  userHandle: 'user_handle',
  userName: 'user_name',
} as const;

export type CredentialColumn = (typeof CREDENTIAL_COLUMNS)[keyof typeof CREDENTIAL_COLUMNS];

/** `{prefix}passkey_credentials`: WebAuthn credentials, with a counter that is never lowered. */
export class PasskeyCredentialRepo {
  constructor(private readonly sql: PasskeySql) {}

  private checkCounterFits(counter: number): void {
    if (this.sql.dialect === 'postgres' && counter > POSTGRES_MAX_COUNTER) {
      throw new ValidationError(
        `counter ${counter} does not fit the crate's PostgreSQL column (integer, at most ${POSTGRES_MAX_COUNTER})`,
        { details: { field: 'counter' } },
      );
    }
  }

  async getCredential(credentialId: string): Promise<PasskeyCredential | null> {
    const row = await this.sql.run(
      (db) =>
        db
          .selectFrom('passkey_credentials')
          .selectAll()
          .where('credential_id', '=', credentialId)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row ? toCredential(row, this.sql.codec) : null;
  }

  async getCredentialsBy(column: CredentialColumn, value: string): Promise<PasskeyCredential[]> {
    const rows = await this.sql.run(
      (db) =>
        db
          .selectFrom('passkey_credentials')
          .selectAll()
          .where(column, '=', value)
          .orderBy('sequence_number')
          .execute(),
      { idempotent: true, entity },
    );
    return rows.map((row) => toCredential(row, this.sql.codec));
  }

  /**
   * Insert, or update every column but created_at (and the sequence number) when the credential exists.
   * The crate's SQLite INSERT OR REPLACE would also renumber the row and reset created_at; this does not.
   * The stored counter is kept when it is higher: storing a credential never lowers it. A credential
   * registered to another user is a conflict, never moved (WebAuthn §7.1 step 22).
   */
  async storeCredential(credential: Required<PasskeyCredentialInput>): Promise<PasskeyCredential> {
    this.checkCounterFits(credential.counter);
    const { codec, dialect } = this.sql;
    const row = await this.sql.run(
      (db) =>
        db
          .insertInto('passkey_credentials')
          .values({
            credential_id: credential.credentialId,
            user_id: credential.userId,
            public_key: credential.publicKey,
            counter: credential.counter,
            user_handle: credential.userHandle,
            user_name: credential.userName,
            user_display_name: credential.userDisplayName,
            aaguid: credential.aaguid,
            rp_id: credential.rpId,
            created_at: codec.timestamp(credential.createdAt),
            updated_at: codec.timestamp(credential.updatedAt),
            last_used_at: codec.timestamp(credential.lastUsedAt),
          })
          .onConflict((oc) =>
            oc
              .column('credential_id')
              .doUpdateSet((eb) => ({
                user_id: eb.ref('excluded.user_id'),
                public_key: eb.ref('excluded.public_key'),
                // The table-qualified column is the stored row's value (unqualified is ambiguous in PostgreSQL).
                counter: eb.fn<number>(dialect === 'postgres' ? 'greatest' : 'max', [
                  eb.ref('passkey_credentials.counter'),
                  eb.ref('excluded.counter'),
                ]),
                user_handle: eb.ref('excluded.user_handle'),
                user_name: eb.ref('excluded.user_name'),
                user_display_name: eb.ref('excluded.user_display_name'),
                aaguid: eb.ref('excluded.aaguid'),
                rp_id: eb.ref('excluded.rp_id'),
                updated_at: eb.ref('excluded.updated_at'),
                last_used_at: eb.ref('excluded.last_used_at'),
              }))
              .whereRef('passkey_credentials.user_id', '=', 'excluded.user_id'),
          )
          .returningAll()
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    if (!row) {
      throw new ConflictError('this passkey credential is registered to another user', {
        details: { entity, field: 'userId' },
      });
    }
    return toCredential(row, codec);
  }

  /**
   * The crate's assertion check: a counter of 0 means the authenticator keeps none (nothing is checked or
   * written); otherwise the counter is written only when it is above the stored one, in one conditional
   * UPDATE, so concurrent assertions can never lower it. Not above: a cloned authenticator is suspected.
   */
  async updateCounter(credentialId: string, counter: number): Promise<CounterUpdate> {
    this.checkCounterFits(counter);
    const { codec } = this.sql;
    if (counter !== 0) {
      const result = await this.sql.run(
        (db) =>
          db
            .updateTable('passkey_credentials')
            .set({ counter, updated_at: codec.timestamp(this.sql.now()) })
            .where('credential_id', '=', credentialId)
            .where('counter', '<', counter)
            .executeTakeFirst(),
        // Repeating it is harmless: the second run finds counter = value and changes nothing.
        { idempotent: true, entity },
      );
      if (Number(result.numUpdatedRows) > 0) return { status: 'updated', counter };
    }
    const stored = await this.sql.run(
      (db) =>
        db
          .selectFrom('passkey_credentials')
          .select('counter')
          .where('credential_id', '=', credentialId)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    if (!stored) return { status: 'not_found', counter };
    if (counter === 0) return { status: 'skipped', counter };
    return { status: 'clone_suspected', counter, storedCounter: Number(stored.counter) };
  }

  async updateUserDetails(credentialId: string, userName: string, userDisplayName: string): Promise<boolean> {
    const result = await this.sql.run(
      (db) =>
        db
          .updateTable('passkey_credentials')
          .set({ user_name: userName, user_display_name: userDisplayName })
          .where('credential_id', '=', credentialId)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(result.numUpdatedRows) > 0;
  }

  /** Sets last_used_at, and updated_at with it on both dialects (the crate's PostgreSQL path skips the latter). */
  async updateLastUsedAt(credentialId: string, at: Date): Promise<boolean> {
    const { codec } = this.sql;
    const result = await this.sql.run(
      (db) =>
        db
          .updateTable('passkey_credentials')
          .set({ last_used_at: codec.timestamp(at), updated_at: codec.timestamp(this.sql.now()) })
          .where('credential_id', '=', credentialId)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteCredentialsBy(column: CredentialColumn, value: string): Promise<number> {
    const result = await this.sql.run(
      (db) => db.deleteFrom('passkey_credentials').where(column, '=', value).executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(result.numDeletedRows);
  }
}
