import type { Invalidation } from '../../../ports/invalidation-bus.js';

/** Wire form of a bus message: compact JSON, so PostgreSQL's 8000-byte NOTIFY payload holds many keys. */
export function encodeInvalidation(message: Invalidation): string {
  if ('keys' in message) return JSON.stringify({ k: message.keys });
  if ('ping' in message) return JSON.stringify({ p: message.ping });
  return '{"a":1}';
}

/** Anything unreadable means "flush everything": a message we cannot read may have named any key. */
export function decodeInvalidation(text: string): Invalidation {
  try {
    const parsed = JSON.parse(text) as { k?: unknown; p?: unknown };
    if (Array.isArray(parsed.k) && parsed.k.every((key) => typeof key === 'string')) {
      return { keys: parsed.k as string[] };
    }
    if (typeof parsed.p === 'string') return { ping: parsed.p };
  } catch {
    // fall through
  }
  return { all: true };
}

/** Splits keys into messages that each stay under `maxBytes` once encoded. */
export function chunkInvalidation(message: Invalidation, maxBytes: number): Invalidation[] {
  if (!('keys' in message)) return [message];
  const chunks: Invalidation[] = [];
  let current: string[] = [];
  let size = 8;
  for (const key of message.keys) {
    const cost = Buffer.byteLength(key) + 3;
    if (current.length > 0 && size + cost > maxBytes) {
      chunks.push({ keys: current });
      current = [];
      size = 8;
    }
    current.push(key);
    size += cost;
  }
  if (current.length > 0) chunks.push({ keys: current });
  return chunks;
}
