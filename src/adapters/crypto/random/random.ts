import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../../domain/errors.js';

export type ByteEncoding = 'hex' | 'base64' | 'base64url';

/** `length` random bytes as text (dbstore's `generateBytes`, restricted to encodings that round-trip). */
export function generateBytes(length = 32, encoding: ByteEncoding = 'hex'): string {
  if (!Number.isSafeInteger(length) || length <= 0 || length > 65536) {
    throw new ValidationError('length must be a positive integer of at most 65536');
  }
  if (encoding !== 'hex' && encoding !== 'base64' && encoding !== 'base64url') {
    throw new ValidationError('encoding must be hex, base64 or base64url');
  }
  return randomBytes(length).toString(encoding);
}
