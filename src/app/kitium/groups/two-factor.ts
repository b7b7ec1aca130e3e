import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.js';
import { assertFixedUnchanged, parsePatchWithFixed } from '../../../domain/fields/fixed-fields.js';
import { LIMITS } from '../../../domain/fields/limits.js';
import { parseInputWithExtra } from '../../../domain/fields/record-spec.js';
import type { BackupCode, TwoFactorDeviceRecord, TwoFactorSession } from '../../../domain/records/records.js';
import {
  backupCodeSpec,
  DEFAULT_TWO_FACTOR_MAX_ATTEMPTS,
  TWO_FACTOR_DEVICE_FIXED_FIELDS,
  twoFactorDevicePatchSpec,
  twoFactorDeviceSpec,
  twoFactorSessionSpec,
  type BackupCodeInput,
  type TwoFactorDeviceInput,
  type TwoFactorDevicePatchInput,
  type TwoFactorSessionInput,
} from '../../../domain/specs/two-factor.js';
import type { KitiumContext } from '../context.js';
import { checkId, lookupId, notFound, orNotFound } from '../guards.js';

const deviceEntity = 'twoFactorDevice';

/**
 * Two-factor devices (secret, metadata and SMS code sealed at rest, the caller's own fields kept),
 * backup codes and two-factor sessions (single-use).
 */
export class TwoFactorFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** Keeps the caller's id when given (TwoFactorAuthService passes `totp_…` / `sms_…`). */
  async createDevice(data: unknown): Promise<TwoFactorDeviceRecord> {
    const { fields, extra } = parseInputWithExtra<TwoFactorDeviceInput>(twoFactorDeviceSpec, data, [
      'createdAt',
      'updatedAt',
    ]);
    const now = this.ctx.clock.now();
    return this.ctx.twoFactorDevices.insert(
      {
        ...fields,
        verified: fields.verified ?? false,
        id: fields.id ?? this.ctx.ids.id(),
        createdAt: now,
        updatedAt: now,
      },
      extra,
    );
  }

  async getDevice(id: unknown): Promise<TwoFactorDeviceRecord | null> {
    const key = lookupId(id, 'deviceId');
    return key === null ? null : this.ctx.twoFactorDevices.findById(key);
  }

  /** A full record may be passed back: userId is accepted when unchanged; extra fields merge per field. */
  async updateDevice(id: unknown, data: unknown): Promise<TwoFactorDeviceRecord> {
    const key = lookupId(id, 'deviceId');
    const { patch, fixed, extra } = parsePatchWithFixed<TwoFactorDevicePatchInput>(
      twoFactorDevicePatchSpec,
      TWO_FACTOR_DEVICE_FIXED_FIELDS,
      data,
    );
    if (key === null) notFound(deviceEntity);
    if (Object.keys(fixed).length > 0) {
      const current = orNotFound(await this.ctx.twoFactorDevices.findById(key), deviceEntity);
      assertFixedUnchanged(deviceEntity, fixed, current);
    }
    return orNotFound(
      await this.ctx.twoFactorDevices.update(key, patch, extra, this.ctx.clock.now()),
      deviceEntity,
    );
  }

  async listDevices(userId: unknown): Promise<TwoFactorDeviceRecord[]> {
    const key = lookupId(userId, 'userId');
    return key === null ? [] : this.ctx.twoFactorDevices.listByUser(key);
  }

  async deleteDevice(id: unknown): Promise<void> {
    const key = lookupId(id, 'deviceId');
    if (key !== null) await this.ctx.twoFactorDevices.delete(key);
  }

  /** Stores the caller's (already hashed) codes, all or none; each code's userId must be `userId`. */
  async createBackupCodes(userId: unknown, codes: unknown): Promise<BackupCode[]> {
    const owner = checkId(userId, 'userId');
    if (!Array.isArray(codes))
      throw new ValidationError('codes must be an array', { details: { field: 'codes' } });
    if (codes.length > LIMITS.arrayItems) {
      throw new ValidationError(`codes must have at most ${LIMITS.arrayItems} items`, {
        details: { field: 'codes' },
      });
    }
    const now = this.ctx.clock.now();
    const entries = codes.map((code) => {
      const { fields, extra } = parseInputWithExtra<BackupCodeInput>(backupCodeSpec, code);
      if (fields.userId !== owner) {
        throw new ValidationError('backupCode.userId must match the userId argument', {
          details: { field: 'userId' },
        });
      }
      const record: BackupCode = {
        ...fields,
        id: fields.id ?? this.ctx.ids.id(),
        used: fields.used ?? false,
        createdAt: fields.createdAt ?? now,
      };
      return { code: record, extra };
    });
    return this.ctx.backupCodes.insertMany(entries);
  }

  async getBackupCodes(userId: unknown): Promise<BackupCode[]> {
    const key = lookupId(userId, 'userId');
    return key === null ? [] : this.ctx.backupCodes.listByUser(key);
  }

  /** Single use: exactly one caller succeeds; a second call is a conflict, an unknown id not_found. */
  async markBackupCodeUsed(codeId: unknown): Promise<void> {
    const key = lookupId(codeId, 'codeId');
    if (key !== null && (await this.ctx.backupCodes.markUsed(key, this.ctx.clock.now()))) return;
    if (key === null || !(await this.ctx.backupCodes.findById(key))) notFound('backupCode');
    throw new ConflictError('backup code was already used', { details: { entity: 'backupCode' } });
  }

  /** Takes the caller's whole record (its id included); a missing id, counters or createdAt are filled in. */
  async createSession(session: unknown): Promise<TwoFactorSession> {
    const { fields, extra } = parseInputWithExtra<TwoFactorSessionInput>(twoFactorSessionSpec, session);
    return this.ctx.twoFactorSessions.insert(
      {
        ...fields,
        id: fields.id ?? this.ctx.ids.id(),
        attemptCount: fields.attemptCount ?? 0,
        maxAttempts: fields.maxAttempts ?? DEFAULT_TWO_FACTOR_MAX_ATTEMPTS,
        createdAt: fields.createdAt ?? this.ctx.clock.now(),
      },
      extra,
    );
  }

  async getSession(id: unknown): Promise<TwoFactorSession | null> {
    const key = lookupId(id, 'sessionId');
    return key === null ? null : this.ctx.twoFactorSessions.findById(key);
  }

  /** Single use: exactly one caller completes the session; a second call is a conflict. */
  async completeSession(id: unknown): Promise<void> {
    const key = lookupId(id, 'sessionId');
    if (key !== null && (await this.ctx.twoFactorSessions.complete(key, this.ctx.clock.now()))) return;
    if (key === null || !(await this.ctx.twoFactorSessions.exists(key))) {
      throw new NotFoundError('twoFactorSession not found', { details: { entity: 'twoFactorSession' } });
    }
    throw new ConflictError('two-factor session was already completed', {
      details: { entity: 'twoFactorSession' },
    });
  }
}
