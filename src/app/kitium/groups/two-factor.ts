import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.js';
import { assertFixedUnchanged, parsePatchWithFixed } from '../../../domain/fixed-fields.js';
import { parseInput } from '../../../domain/record-spec.js';
import type { BackupCode, TwoFactorDevice, TwoFactorSession } from '../../../domain/records.js';
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
import { LIMITS } from '../../../domain/limits.js';
import type { KitiumContext } from '../context.js';
import { checkId, orNotFound } from '../guards.js';

/** Two-factor devices (secrets sealed at rest), backup codes and two-factor sessions (single-use). */
export class TwoFactorFacade {
  constructor(private readonly ctx: KitiumContext) {}

  async createDevice(data: unknown): Promise<TwoFactorDevice> {
    const input = parseInput<TwoFactorDeviceInput>(twoFactorDeviceSpec, data, [
      'id',
      'createdAt',
      'updatedAt',
    ]);
    const now = this.ctx.clock.now();
    return this.ctx.twoFactorDevices.insert({
      ...input,
      verified: input.verified ?? false,
      id: this.ctx.ids.id(),
      createdAt: now,
      updatedAt: now,
    });
  }

  async getDevice(id: unknown): Promise<TwoFactorDevice | null> {
    return this.ctx.twoFactorDevices.findById(checkId(id, 'deviceId'));
  }

  /** A full record may be passed back: userId is accepted when unchanged. */
  async updateDevice(id: unknown, data: unknown): Promise<TwoFactorDevice> {
    const key = checkId(id, 'deviceId');
    const { patch, fixed } = parsePatchWithFixed<TwoFactorDevicePatchInput>(
      twoFactorDevicePatchSpec,
      TWO_FACTOR_DEVICE_FIXED_FIELDS,
      data,
    );
    if (Object.keys(fixed).length > 0) {
      const current = orNotFound(await this.ctx.twoFactorDevices.findById(key), 'twoFactorDevice');
      assertFixedUnchanged('twoFactorDevice', fixed, current);
    }
    return orNotFound(
      await this.ctx.twoFactorDevices.update(key, patch, this.ctx.clock.now()),
      'twoFactorDevice',
    );
  }

  async listDevices(userId: unknown): Promise<TwoFactorDevice[]> {
    return this.ctx.twoFactorDevices.listByUser(checkId(userId, 'userId'));
  }

  async deleteDevice(id: unknown): Promise<void> {
    await this.ctx.twoFactorDevices.delete(checkId(id, 'deviceId'));
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
    const records = codes.map((code) => {
      const input = parseInput<BackupCodeInput>(backupCodeSpec, code);
      if (input.userId !== owner) {
        throw new ValidationError('backupCode.userId must match the userId argument', {
          details: { field: 'userId' },
        });
      }
      return {
        ...input,
        id: input.id ?? this.ctx.ids.id(),
        used: input.used ?? false,
        createdAt: input.createdAt ?? now,
      };
    });
    return this.ctx.backupCodes.insertMany(records);
  }

  async getBackupCodes(userId: unknown): Promise<BackupCode[]> {
    return this.ctx.backupCodes.listByUser(checkId(userId, 'userId'));
  }

  /** Single use: exactly one caller succeeds; a second call is a conflict, an unknown id not_found. */
  async markBackupCodeUsed(codeId: unknown): Promise<void> {
    const key = checkId(codeId, 'codeId');
    if (await this.ctx.backupCodes.markUsed(key, this.ctx.clock.now())) return;
    orNotFound(await this.ctx.backupCodes.findById(key), 'backupCode');
    throw new ConflictError('backup code was already used', { details: { entity: 'backupCode' } });
  }

  /** Takes the caller's whole record (its id included); a missing id, counters or createdAt are filled in. */
  async createSession(session: unknown): Promise<TwoFactorSession> {
    const input = parseInput<TwoFactorSessionInput>(twoFactorSessionSpec, session);
    return this.ctx.twoFactorSessions.insert({
      ...input,
      id: input.id ?? this.ctx.ids.id(),
      attemptCount: input.attemptCount ?? 0,
      maxAttempts: input.maxAttempts ?? DEFAULT_TWO_FACTOR_MAX_ATTEMPTS,
      createdAt: input.createdAt ?? this.ctx.clock.now(),
    });
  }

  async getSession(id: unknown): Promise<TwoFactorSession | null> {
    return this.ctx.twoFactorSessions.findById(checkId(id, 'sessionId'));
  }

  /** Single use: exactly one caller completes the session; a second call is a conflict. */
  async completeSession(id: unknown): Promise<void> {
    const key = checkId(id, 'sessionId');
    if (await this.ctx.twoFactorSessions.complete(key, this.ctx.clock.now())) return;
    if (!(await this.ctx.twoFactorSessions.exists(key))) {
      throw new NotFoundError('twoFactorSession not found', { details: { entity: 'twoFactorSession' } });
    }
    throw new ConflictError('two-factor session was already completed', {
      details: { entity: 'twoFactorSession' },
    });
  }
}
