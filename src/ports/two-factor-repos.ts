import type { BackupCode, TwoFactorDevice, TwoFactorSession } from '../domain/records.js';
import type { Patch } from './repos.js';

/** Devices; the secret is encrypted at rest by the implementation, bound to the device id. */
export interface TwoFactorDeviceRepo {
  insert(device: TwoFactorDevice): Promise<TwoFactorDevice>;
  findById(id: string): Promise<TwoFactorDevice | null>;
  listByUser(userId: string): Promise<TwoFactorDevice[]>;
  update(id: string, patch: Patch<TwoFactorDevice>, updatedAt: Date): Promise<TwoFactorDevice | null>;
  delete(id: string): Promise<void>;
}

export interface BackupCodeRepo {
  /** Inserts every code or none. */
  insertMany(codes: BackupCode[]): Promise<BackupCode[]>;
  findById(id: string): Promise<BackupCode | null>;
  listByUser(userId: string): Promise<BackupCode[]>;
  /** Marks the code used only if it is not: of concurrent callers exactly one gets true. */
  markUsed(id: string, usedAt: Date): Promise<boolean>;
}

/** Two-factor sessions; the session id and verification code are encrypted at rest, bound to the row id. */
export interface TwoFactorSessionRepo {
  insert(session: TwoFactorSession): Promise<TwoFactorSession>;
  findById(id: string): Promise<TwoFactorSession | null>;
  /** Whether a session has this id (without decrypting anything). */
  exists(id: string): Promise<boolean>;
  /** Sets completedAt only if unset: of concurrent callers exactly one gets true. */
  complete(id: string, completedAt: Date): Promise<boolean>;
}
