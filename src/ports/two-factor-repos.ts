import type { ExtraFields, ExtraFieldsPatch } from '../domain/fields/extra-fields.js';
import type { BackupCode, TwoFactorDeviceRecord, TwoFactorSession } from '../domain/records/records.js';
import type { Patch } from './repos.js';

/**
 * Devices; the secret, the metadata and an SMS verification code are encrypted at rest by the
 * implementation, bound to the device id. `extra` holds the caller's own fields.
 */
export interface TwoFactorDeviceRepo {
  insert(device: TwoFactorDeviceRecord, extra: ExtraFields): Promise<TwoFactorDeviceRecord>;
  findById(id: string): Promise<TwoFactorDeviceRecord | null>;
  listByUser(userId: string): Promise<TwoFactorDeviceRecord[]>;
  /** Extra fields are merged per field (`undefined` removes one) in the same transaction as the patch. */
  update(
    id: string,
    patch: Patch<TwoFactorDeviceRecord>,
    extra: ExtraFieldsPatch,
    updatedAt: Date,
  ): Promise<TwoFactorDeviceRecord | null>;
  delete(id: string): Promise<void>;
}

export interface BackupCodeRepo {
  /** Inserts every code or none, each with its extra fields. */
  insertMany(codes: { code: BackupCode; extra: ExtraFields }[]): Promise<BackupCode[]>;
  findById(id: string): Promise<BackupCode | null>;
  listByUser(userId: string): Promise<BackupCode[]>;
  /** Marks the code used only if it is not: of concurrent callers exactly one gets true. */
  markUsed(id: string, usedAt: Date): Promise<boolean>;
}

/** Two-factor sessions; the session id and verification code are encrypted at rest, bound to the row id. */
export interface TwoFactorSessionRepo {
  insert(session: TwoFactorSession, extra: ExtraFields): Promise<TwoFactorSession>;
  findById(id: string): Promise<TwoFactorSession | null>;
  /** Whether a session has this id (without decrypting anything). */
  exists(id: string): Promise<boolean>;
  /** Sets completedAt only if unset: of concurrent callers exactly one gets true. */
  complete(id: string, completedAt: Date): Promise<boolean>;
}
