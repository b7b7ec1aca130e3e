import type { TwoFactorDevice, TwoFactorMethod } from '../../../domain/records.js';
import type { CipherPort } from '../../../ports/cipher.js';
import type { Patch } from '../../../ports/repos.js';
import type { TwoFactorDeviceRepo } from '../../../ports/two-factor-repos.js';
import { columnCipher, type ColumnCipher } from '../encrypted-columns.js';
import { recoverInserted } from './recover.js';
import { TableAccess } from './table-access.js';
import type { SqlStore } from '../sql-store.js';
import {
  compact,
  optionalDate,
  optionalJson,
  optionalText,
  patchColumns,
  text,
  type ColumnMap,
} from './mapping.js';

const entity = 'twoFactorDevice';

/** Two-factor devices; `secret` (a TOTP seed) is stored only as an envelope bound to the device id. */
export class KyselyTwoFactorDeviceRepo implements TwoFactorDeviceRepo {
  private readonly rows: TableAccess<TwoFactorDevice>;
  private readonly secrets: ColumnCipher;
  private readonly columns: ColumnMap<TwoFactorDevice>;

  constructor(
    private readonly store: SqlStore,
    cipher: CipherPort,
  ) {
    this.rows = new TableAccess(store, 'twofa_devices', entity, (row) => this.toRecord(row));
    const { codec } = store;
    this.secrets = columnCipher(cipher, 'twofa_devices', 'secret');
    this.columns = {
      method: ['method', (v) => v],
      name: ['name', (v) => v],
      verified: ['verified', (v) => codec.bool(v)],
      phoneNumber: ['phone_number', (v) => v],
      lastUsedAt: ['last_used_at', (v) => codec.timestamp(v)],
      metadata: ['metadata', (v) => codec.json(v)],
    };
  }

  private toRecord(row: Record<string, unknown>): TwoFactorDevice {
    const { codec } = this.store;
    const id = text(row.id);
    return compact({
      id,
      userId: text(row.user_id),
      method: text(row.method) as TwoFactorMethod,
      name: optionalText(row.name),
      verified: codec.readBool(row.verified),
      phoneNumber: optionalText(row.phone_number),
      secret: this.secrets.read(id, row.secret) ?? undefined,
      lastUsedAt: optionalDate(codec, row.last_used_at),
      createdAt: codec.readTimestamp(row.created_at),
      updatedAt: optionalDate(codec, row.updated_at),
      metadata: optionalJson<Record<string, unknown>>(codec, row.metadata),
    });
  }

  async insert(device: TwoFactorDevice): Promise<TwoFactorDevice> {
    const { codec } = this.store;
    const secret = this.secrets.write(device.id, device.secret ?? null);
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('twofa_devices')
          .values({
            id: device.id,
            user_id: device.userId,
            method: device.method,
            name: device.name ?? null,
            verified: codec.bool(device.verified),
            phone_number: device.phoneNumber ?? null,
            secret,
            last_used_at: device.lastUsedAt === undefined ? null : codec.timestamp(device.lastUsedAt),
            created_at: codec.timestamp(device.createdAt),
            updated_at: device.updatedAt === undefined ? null : codec.timestamp(device.updatedAt),
            metadata: device.metadata === undefined ? null : codec.json(device.metadata),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('twofa_devices', device.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<TwoFactorDevice | null> {
    return this.rows.findOne('id', id);
  }

  async listByUser(userId: string): Promise<TwoFactorDevice[]> {
    return this.rows.listNewestFirst('user_id', userId);
  }

  async update(id: string, patch: Patch<TwoFactorDevice>, updatedAt: Date): Promise<TwoFactorDevice | null> {
    // Sealed before the statement, with the row id the envelope is bound to.
    const secret = 'secret' in patch ? { secret: this.secrets.write(id, patch.secret ?? null) } : {};
    return this.rows.updateById(id, {
      ...patchColumns(patch, this.columns),
      ...secret,
      updated_at: this.store.codec.timestamp(updatedAt),
    });
  }

  async delete(id: string): Promise<void> {
    await this.rows.deleteById(id);
  }
}
