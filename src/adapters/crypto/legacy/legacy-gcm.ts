import { createDecipheriv } from 'node:crypto';
import { IntegrityError } from '../../../domain/errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Opens AES-256-GCM data written by a legacy library (no associated data), strictly: a 12-byte IV and a
 * full 16-byte tag. Node 20 accepts 4..15-byte tags unless authTagLength is set; a short tag is a
 * forgery aid. `what` names the format in errors ("a dbstore value", "a mitthooks secret").
 */
export function openLegacyGcm(
  key: Buffer,
  iv: Buffer,
  ciphertext: Buffer,
  tag: Buffer,
  what: string,
): Buffer {
  if (iv.length !== IV_BYTES) throw new IntegrityError(`${what}: the IV must be 12 bytes`);
  if (tag.length !== TAG_BYTES) throw new IntegrityError(`${what}: the auth tag must be 16 bytes`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    throw new IntegrityError(`${what} failed authentication (tampered or wrong key)`, { cause: error });
  }
}
