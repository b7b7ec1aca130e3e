import { IntegrityError, ValidationError } from '../../../domain/errors.js';
import type { CipherContext } from '../../../ports/cipher.js';
import { KEY_ID_PATTERN } from './key-config.js';

/**
 * authkeep's envelope, version 1 — one line of URL-safe text:
 *
 *     ak1.<keyId>.<iv>.<ciphertext>.<tag>
 *
 * - `ak1`: format and version. Version 1 means AES-256-GCM, a 12-byte IV, a 16-byte tag and the
 *   associated data built by `associatedData` below. A new scheme gets a new prefix; old ones stay readable.
 * - `keyId`: the keyring id of the key that sealed it (1-32 of `A-Z a-z 0-9 _ -`, so never a `.`).
 * - `iv`, `ciphertext`, `tag`: unpadded base64url (16, any, 22 characters). The ciphertext is the UTF-8
 *   plaintext's length, so it is empty for an empty string.
 *
 * Parsing is strict: exactly five pieces, canonical base64url, exact IV and tag lengths.
 */
export const ENVELOPE_PREFIX = 'ak1';
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Envelope {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const AAD_LABEL = Buffer.from('authkeep.cipher.ak1\0', 'utf8');
const MAX_CONTEXT_PART = 1024;

function malformed(why: string): never {
  throw new IntegrityError(`encrypted value is malformed: ${why}`);
}

/** Canonical unpadded base64url only: Node's decoder would skip junk and accept non-zero trailing bits. */
function decodePiece(text: string, what: string): Buffer {
  if (!BASE64URL.test(text)) malformed(`${what} is not base64url`);
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) malformed(`${what} is not canonical base64url`);
  return bytes;
}

export function formatEnvelope(envelope: Envelope): string {
  const { keyId, iv, ciphertext, tag } = envelope;
  return [ENVELOPE_PREFIX, keyId, iv, ciphertext, tag]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function parseEnvelope(text: unknown): Envelope {
  if (typeof text !== 'string') malformed('not a string');
  const pieces = text.split('.');
  if (pieces.length !== 5 || pieces[0] !== ENVELOPE_PREFIX) malformed('not an ak1 envelope');
  const [, keyId, iv, ciphertext, tag] = pieces as [string, string, string, string, string];
  if (!KEY_ID_PATTERN.test(keyId)) malformed('invalid key id');
  const envelope = {
    keyId,
    iv: decodePiece(iv, 'IV'),
    ciphertext: decodePiece(ciphertext, 'ciphertext'),
    tag: decodePiece(tag, 'tag'),
  };
  if (envelope.iv.length !== IV_BYTES) malformed(`IV must be ${IV_BYTES} bytes`);
  if (envelope.tag.length !== TAG_BYTES) malformed(`tag must be ${TAG_BYTES} bytes`);
  return envelope;
}

/** The key id of text shaped like our envelope (`ak1.<id>.…`), else null; the rest is checked on decrypt. */
export function envelopeKeyId(text: unknown): string | null {
  if (typeof text !== 'string' || !text.startsWith(`${ENVELOPE_PREFIX}.`)) return null;
  const end = text.indexOf('.', ENVELOPE_PREFIX.length + 1);
  const keyId = end < 0 ? '' : text.slice(ENVELOPE_PREFIX.length + 1, end);
  return KEY_ID_PATTERN.test(keyId) ? keyId : null;
}

export function assertContext(context: CipherContext): void {
  if (!context || typeof context !== 'object') throw new ValidationError('a cipher context is required');
  for (const part of ['table', 'column', 'rowId'] as const) {
    const value: unknown = context[part];
    // Lone surrogates would encode as U+FFFD, letting two different contexts share associated data.
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > MAX_CONTEXT_PART ||
      !value.isWellFormed()
    ) {
      throw new ValidationError(`cipher context ${part} must be a non-empty string`, {
        details: { field: part },
      });
    }
  }
}

/**
 * Associated data: a version label, then the key id, table, column and row id, each prefixed with its
 * 4-byte big-endian UTF-8 length, so no two different contexts can encode to the same bytes.
 */
export function associatedData(keyId: string, context: CipherContext): Buffer {
  // Written into one buffer sized up front: this runs twice per rotated row.
  const parts = [keyId, context.table, context.column, context.rowId];
  let size = AAD_LABEL.length;
  for (const part of parts) size += 4 + Buffer.byteLength(part, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let offset = AAD_LABEL.copy(out, 0);
  for (const part of parts) {
    const written = out.write(part, offset + 4, 'utf8');
    out.writeUInt32BE(written, offset);
    offset += 4 + written;
  }
  return out;
}
