import type { ExtraFields, ExtraFieldsPatch } from '../../../../domain/fields/extra-fields.js';
import type { TwoFactorDeviceRecord, TwoFactorMethod } from '../../../../domain/records/records.js';
import type { CipherPort } from '../../../../ports/cipher.js';
import type { Patch } from '../../../../ports/repos.js';
import type { TwoFactorDeviceRepo } from '../../../../ports/two-factor-repos.js';
import { columnCipher, type ColumnCipher } from '../../sealing/encrypted-columns.js';
import type { SqlStore } from '../../sql-store.js';
import { hasExtraChanges, updateWithExtra, withStoredExtra, writeExtra } from '../extra-column.js';
import {
  compact,
  optionalDate,
  optionalJson,
  optionalText,
  patchColumns,
  text,
  type ColumnMap,
} from '../mapping.js';
import { recoverInserted } from '../recover.js';
import { TableAccess } from '../table-access.js';

const entity = 'twoFactorDevice';
type Row = Record<string, unknown>;

/**
 * Two-factor devices. The secret (a TOTP seed), the metadata (callers keep `tempSecret` and live SMS
 * codes there) and an SMS `verificationCode` are stored only as envelopes bound to the device id.
 */
export class KyselyTwoFactorDeviceRepo implements TwoFactorDeviceRepo {
  private readonly rows: TableAccess<TwoFactorDeviceRecord>;
  private readonly secrets: ColumnCipher;
  private readonly metadata: ColumnCipher;
  private readonly codes: ColumnCipher;
  private readonly columns: ColumnMap<TwoFactorDeviceRecord>;

  constructor(
    private readonly store: SqlStore,
    cipher: CipherPort,
  ) {
    this.rows = new TableAccess(store, 'twofa_devices', entity, (row) => this.toRecord(row));
    const { codec } = store;
    this.secrets = columnCipher(cipher, 'twofa_devices', 'secret');
    this.metadata = columnCipher(cipher, 'twofa_devices', 'sealed_metadata');
    this.codes = columnCipher(cipher, 'twofa_devices', 'verification_code');
    this.columns = {
      method: ['method', (v) => v],
      name: ['name', (v) => v],
      verified: ['verified', (v) => codec.bool(v)],
      phoneNumber: ['phone_number', (v) => v],
      lastUsedAt: ['last_used_at', (v) => codec.timestamp(v)],
      backupCodesUsed: ['backup_codes_used', (v) => codec.json(v)],
      verificationCodeExpiresAt: ['verification_code_expires_at', (v) => codec.timestamp(v)],
    };
  }

  private toRecord(row: Row): TwoFactorDeviceRecord {
    const { codec } = this.store;
    const id = text(row.id);
    const record = compact<TwoFactorDeviceRecord>({
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
      metadata: this.metadata.readJson<Record<string, unknown>>(id, row.sealed_metadata) ?? undefined,
      backupCodesUsed: optionalJson<string[]>(codec, row.backup_codes_used),
      verificationCode: this.codes.read(id, row.verification_code) ?? undefined,
      verificationCodeExpiresAt: optionalDate(codec, row.verification_code_expires_at),
    });
    return withStoredExtra(record, row.extra);
  }

  /** The sealed columns of a patch, sealed before the statement with the row id they are bound to. */
  private sealedColumns(id: string, patch: Patch<TwoFactorDeviceRecord>): Row {
    const out: Row = {};
    if ('secret' in patch) out.secret = this.secrets.write(id, patch.secret ?? null);
    if ('metadata' in patch) out.sealed_metadata = this.metadata.writeJson(id, patch.metadata ?? null);
    if ('verificationCode' in patch) {
      out.verification_code = this.codes.write(id, patch.verificationCode ?? null);
    }
    return out;
  }

  async insert(device: TwoFactorDeviceRecord, extra: ExtraFields): Promise<TwoFactorDeviceRecord> {
    const { codec } = this.store;
    const values = {
      id: device.id,
      user_id: device.userId,
      ...patchColumns(device, this.columns),
      verified: codec.bool(device.verified),
      secret: this.secrets.write(device.id, device.secret ?? null),
      sealed_metadata: this.metadata.writeJson(device.id, device.metadata),
      verification_code: this.codes.write(device.id, device.verificationCode ?? null),
      created_at: codec.timestamp(device.createdAt),
      updated_at: device.updatedAt === undefined ? null : codec.timestamp(device.updatedAt),
      extra: writeExtra(extra),
    };
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('twofa_devices')
          .values(values as never)
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('twofa_devices', device.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<TwoFactorDeviceRecord | null> {
    return this.rows.findOne('id', id);
  }

  async listByUser(userId: string): Promise<TwoFactorDeviceRecord[]> {
    return this.rows.listNewestFirst('user_id', userId);
  }

  async update(
    id: string,
    patch: Patch<TwoFactorDeviceRecord>,
    extra: ExtraFieldsPatch,
    updatedAt: Date,
  ): Promise<TwoFactorDeviceRecord | null> {
    const values = {
      ...patchColumns(patch, this.columns),
      ...this.sealedColumns(id, patch),
      updated_at: this.store.codec.timestamp(updatedAt),
    };
    if (!hasExtraChanges(extra)) return this.rows.updateById(id, values);
    return updateWithExtra(this.store, 'twofa_devices', entity, id, values, extra, (row) =>
      this.toRecord(row),
    );
  }

  async delete(id: string): Promise<void> {
    await this.rows.deleteById(id);
  }
}
