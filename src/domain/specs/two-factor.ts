import { LIMITS } from '../fields/limits.js';
import { defineRecord } from '../fields/record-spec.js';
import type {
  BackupCode,
  TwoFactorDevice,
  TwoFactorDeviceSubtypeFields,
  TwoFactorMethod,
  TwoFactorSession,
} from '../records/records.js';
import { array, boolean, date, id, integer, jsonObject, oneOf, string } from '../fields/validation.js';

export const TWO_FACTOR_METHODS = [
  'totp',
  'sms',
  'backup-code',
] as const satisfies readonly TwoFactorMethod[];

const method = () => oneOf(TWO_FACTOR_METHODS);
// Upstream's phone_number column is VARCHAR(50); an adopted database keeps it.
const phone = () => string({ max: 50 });

/**
 * `createTwoFactorDevice` input: the caller's id is kept when given (as upstream's memory adapter
 * does); `verified` defaults to false when a JavaScript caller omits it. Other fields are extra fields.
 */
export type TwoFactorDeviceInput = Omit<TwoFactorDevice, 'id' | 'createdAt' | 'updatedAt' | 'verified'> &
  TwoFactorDeviceSubtypeFields & { id?: string; verified?: boolean };

const deviceFields = {
  method: method(),
  name: string({ max: LIMITS.shortText, allowEmpty: true }),
  verified: boolean(),
  phoneNumber: phone(),
  secret: string({ max: LIMITS.secret }),
  lastUsedAt: date(),
  metadata: jsonObject(),
  backupCodesUsed: array(string({ max: LIMITS.id, allowEmpty: true })),
  verificationCode: string({ max: LIMITS.shortText, allowEmpty: true }),
  verificationCodeExpiresAt: date(),
};
const deviceOptional = [
  'name',
  'phoneNumber',
  'secret',
  'lastUsedAt',
  'metadata',
  'backupCodesUsed',
  'verificationCode',
  'verificationCodeExpiresAt',
] as const;

export const twoFactorDeviceSpec = defineRecord<TwoFactorDeviceInput>(
  'twoFactorDevice',
  { id: id(), userId: id(), ...deviceFields },
  ['id', 'verified', ...deviceOptional],
  { extras: true },
);

/** Fields an update may change; `userId` is fixed at creation. */
export type TwoFactorDevicePatchInput = Omit<TwoFactorDeviceInput, 'userId' | 'id'>;
export const twoFactorDevicePatchSpec = defineRecord<TwoFactorDevicePatchInput>(
  'twoFactorDevice',
  deviceFields,
  deviceOptional,
  { extras: true },
);

export const TWO_FACTOR_DEVICE_FIXED_FIELDS = { userId: id() } as const;

/** A backup code as the caller builds it (already hashed); a missing id, `used` or `createdAt` is filled in. */
export type BackupCodeInput = Omit<BackupCode, 'id' | 'used' | 'createdAt'> &
  Partial<Pick<BackupCode, 'id' | 'used' | 'createdAt'>>;
export const backupCodeSpec = defineRecord<BackupCodeInput>(
  'backupCode',
  {
    id: id(),
    userId: id(),
    // Upstream's code column is VARCHAR(255): a hash fits.
    code: string({ max: LIMITS.id }),
    used: boolean(),
    usedAt: date(),
    createdAt: date(),
  },
  ['id', 'used', 'usedAt', 'createdAt'],
  { extras: true },
);

/** `createTwoFactorSession` takes the whole record; a missing id, counters or `createdAt` is filled in. */
export type TwoFactorSessionInput = Omit<
  TwoFactorSession,
  'id' | 'attemptCount' | 'maxAttempts' | 'createdAt'
> &
  Partial<Pick<TwoFactorSession, 'id' | 'attemptCount' | 'maxAttempts' | 'createdAt'>>;
export const twoFactorSessionSpec = defineRecord<TwoFactorSessionInput>(
  'twoFactorSession',
  {
    id: id(),
    userId: id(),
    sessionId: string({ max: LIMITS.shortText }),
    deviceId: id(),
    method: method(),
    verificationCode: string({ max: LIMITS.shortText }),
    attemptCount: integer({ min: 0 }),
    maxAttempts: integer({ min: 0 }),
    expiresAt: date(),
    createdAt: date(),
    completedAt: date(),
  },
  ['id', 'verificationCode', 'attemptCount', 'maxAttempts', 'createdAt', 'completedAt'],
  { extras: true },
);

/** Upstream's column default for `max_attempts`. */
export const DEFAULT_TWO_FACTOR_MAX_ATTEMPTS = 5;
