import { IntegrityError } from '../../../domain/errors.js';

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard, padded, canonical base64 and nothing else. Node's decoder skips junk and accepts
 * url-safe text, so the legacy libraries' readers were lenient; re-encoding rejects non-zero pad bits.
 */
export function decodeStrictBase64(text: string, what: string): Buffer {
  if (!STANDARD_BASE64.test(text)) throw new IntegrityError(`${what} is not canonical base64`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new IntegrityError(`${what} is not canonical base64`);
  return bytes;
}
