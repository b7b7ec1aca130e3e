import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../../../domain/errors.js';
import type { PasskeyUser } from '../../../../domain/passkey/records.js';
import {
  DEMO_PLACEHOLDER_USER,
  FIRST_USER_SEQUENCE_NUMBER,
  type ValidUserInput,
} from '../../../../domain/passkey/rules.js';
import type { PasskeySql, PasskeyTrx } from '../context.js';
import type { PasskeyCodec } from '../passkey-codec.js';
import { toUser } from './rows.js';

const entity = 'oauth2-passkey user';
/** The crate tries this many fresh UUIDs before giving up on a collision. */
const NEW_ID_ATTEMPTS = 3;

/** `{prefix}users`: the crate's queries, with the first-user rule and an atomic last-admin guard. */
export class PasskeyUserRepo {
  constructor(private readonly sql: PasskeySql) {}

  async getAllUsers(): Promise<PasskeyUser[]> {
    const rows = await this.sql.run(
      (db) => db.selectFrom('users').selectAll().orderBy('sequence_number', 'asc').execute(),
      { idempotent: true, entity },
    );
    return rows.map((row) => toUser(row, this.sql.codec));
  }

  async getUser(id: string): Promise<PasskeyUser | null> {
    const row = await this.sql.run(
      (db) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row ? toUser(row, this.sql.codec) : null;
  }

  async getUserBySequenceNumber(sequenceNumber: number): Promise<PasskeyUser | null> {
    const row = await this.sql.run(
      (db) =>
        db.selectFrom('users').selectAll().where('sequence_number', '=', sequenceNumber).executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row ? toUser(row, this.sql.codec) : null;
  }

  /**
   * Insert or update by id (created_at kept on update). Then the crate's rule: sequence number 1 is made an
   * admin, in the same transaction. Without an id a UUID v4 is generated, retried on the unlikely collision.
   */
  async upsertUser(input: ValidUserInput): Promise<PasskeyUser> {
    if (input.id !== undefined) {
      const id = input.id;
      return this.sql.transaction((trx) => this.upsertIn(trx, { ...input, id }), {
        idempotent: true,
        entity,
      });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const id = randomUUID();
        // A plain INSERT: a colliding id must fail, never overwrite someone else's row.
        return await this.sql.transaction((trx) => this.insertNewIn(trx, { ...input, id }), {
          idempotent: false,
          entity,
        });
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= NEW_ID_ATTEMPTS) throw error;
      }
    }
  }

  private async upsertIn(trx: PasskeyTrx, user: ValidUserInput & { id: string }): Promise<PasskeyUser> {
    const { codec } = this.sql;
    const now = codec.timestamp(this.sql.now());
    const row = await trx
      .insertInto('users')
      .values(newUserRow(user, codec, now))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          account: eb.ref('excluded.account'),
          label: eb.ref('excluded.label'),
          is_admin: eb.ref('excluded.is_admin'),
          updated_at: now,
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.promoteFirstUser(trx, toUser(row, codec));
  }

  private async insertNewIn(trx: PasskeyTrx, user: ValidUserInput & { id: string }): Promise<PasskeyUser> {
    const { codec } = this.sql;
    const now = codec.timestamp(this.sql.now());
    const row = await trx
      .insertInto('users')
      .values(newUserRow(user, codec, now))
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.promoteFirstUser(trx, toUser(row, codec));
  }

  private async promoteFirstUser(trx: PasskeyTrx, user: PasskeyUser): Promise<PasskeyUser> {
    if (user.sequenceNumber !== FIRST_USER_SEQUENCE_NUMBER || user.isAdmin) return user;
    const { codec } = this.sql;
    const row = await trx
      .updateTable('users')
      .set({ is_admin: codec.bool(true), updated_at: codec.timestamp(this.sql.now()) })
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row, codec);
  }

  /** Deletes the user; their OAuth2 accounts and passkeys go by ON DELETE CASCADE. */
  async deleteUser(id: string): Promise<boolean> {
    if (!this.sql.shape.oauth2Cascade) {
      return this.sql.transaction((trx) => this.deleteWithChildren(trx, id), { idempotent: true, entity });
    }
    const result = await this.sql.run(
      (db) => db.deleteFrom('users').where('id', '=', id).executeTakeFirst(),
      {
        idempotent: true,
        entity,
      },
    );
    return Number(result.numDeletedRows) > 0;
  }

  /** The user and, where the pre-0.6 layout has no ON DELETE CASCADE, its OAuth2 accounts first. */
  private async deleteWithChildren(trx: PasskeyTrx, id: string): Promise<boolean> {
    if (!this.sql.shape.oauth2Cascade) {
      await trx.deleteFrom('oauth2_accounts').where('user_id', '=', id).execute();
    }
    const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Deletes the user unless they are the only admin left; true when deleted. */
  deleteUserIfNotLastAdmin(id: string): Promise<boolean> {
    return this.guardLastAdmin(id, (trx) => this.deleteWithChildren(trx, id));
  }

  /**
   * Clears the admin flag unless the user is the only admin left; true when demoted. The first user
   * (sequence number 1) is refused too: the crate counts them as an admin whatever the flag says.
   */
  demoteUserIfNotLastAdmin(id: string): Promise<boolean> {
    return this.guardLastAdmin(id, async (trx, sequenceNumber) => {
      if (sequenceNumber === FIRST_USER_SEQUENCE_NUMBER) return false;
      const { codec } = this.sql;
      const result = await trx
        .updateTable('users')
        .set({ is_admin: codec.bool(false), updated_at: codec.timestamp(this.sql.now()) })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  /**
   * Runs `change` only when it cannot remove the last admin. The crate's single statement counts admins in a
   * snapshot, so two concurrent demotions on PostgreSQL can both pass; here the admin rows are locked
   * (FOR UPDATE, in sequence order) and re-read after any wait, so of two concurrent calls one sees the other.
   * SQLite needs no lock: its write transactions (BEGIN IMMEDIATE) already run one at a time.
   */
  private guardLastAdmin(
    id: string,
    change: (trx: PasskeyTrx, sequenceNumber: number) => Promise<boolean>,
  ): Promise<boolean> {
    const { codec, dialect } = this.sql;
    return this.sql.transaction(
      async (trx) => {
        const admins = await trx
          .selectFrom('users')
          .select(['id'])
          .where('is_admin', '=', codec.bool(true))
          .orderBy('sequence_number')
          .$if(dialect === 'postgres', (qb) => qb.forUpdate())
          .execute();
        const target = await trx
          .selectFrom('users')
          .select(['sequence_number'])
          .where('id', '=', id)
          .$if(dialect === 'postgres', (qb) => qb.forUpdate())
          .executeTakeFirst();
        if (!target) return false;
        const isAdmin = admins.some((admin) => admin.id === id);
        if (isAdmin && admins.length <= 1) return false;
        return change(trx, codec.readSerial(target.sequence_number));
      },
      { idempotent: true, entity },
    );
  }

  /** O2P_DEMO_MODE: the placeholder at sequence number 1 (kept if present), and the sequence moved past it. */
  async insertDemoPlaceholder(): Promise<void> {
    const { codec, dialect } = this.sql;
    await this.sql.transaction(
      async (trx) => {
        const now = codec.timestamp(this.sql.now());
        await trx
          .insertInto('users')
          .values({
            sequence_number: DEMO_PLACEHOLDER_USER.sequenceNumber,
            id: DEMO_PLACEHOLDER_USER.id,
            account: DEMO_PLACEHOLDER_USER.account,
            label: DEMO_PLACEHOLDER_USER.label,
            is_admin: codec.bool(DEMO_PLACEHOLDER_USER.isAdmin),
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
        if (dialect !== 'postgres') return;
        // An explicit sequence_number does not advance BIGSERIAL; without this the next insert would take 1.
        await trx
          .selectNoFrom((eb) =>
            eb
              .fn('setval', [
                eb.fn('pg_get_serial_sequence', [
                  eb.val(this.sql.names.users.qualified),
                  eb.val('sequence_number'),
                ]),
                eb.fn('greatest', [
                  eb.lit(1),
                  eb.selectFrom('users').select((s) => s.fn.max('sequence_number').as('m')),
                ]),
              ])
              .as('v'),
          )
          .execute();
      },
      { idempotent: true, entity },
    );
  }
}

/** The row a new user is inserted as: both timestamps the same instant, as the crate writes them. */
function newUserRow(user: ValidUserInput & { id: string }, codec: PasskeyCodec, now: string | Date) {
  return {
    id: user.id,
    account: user.account,
    label: user.label,
    is_admin: codec.bool(user.isAdmin),
    created_at: now,
    updated_at: now,
  };
}
