import { randomFillSync } from 'node:crypto';

/**
 * Fresh random bytes in small pieces, drawn from a CSPRNG buffer refilled in bulk: one call into the
 * generator per few thousand IVs (or a hundred tokens) instead of one per piece, which dominated the cost of
 * encrypting and of minting tokens. Every piece is handed out once and wiped from the buffer as it leaves,
 * so no two pieces overlap and no secret outlives its use in the pool.
 */
export class RandomPool {
  private readonly buffer: Buffer;
  private offset: number;

  constructor(size = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(size);
    this.offset = size;
  }

  /** `length` random bytes, copied out of the pool. */
  take(length: number): Buffer {
    const start = this.reserve(length);
    const piece = Buffer.from(this.buffer.subarray(start, start + length));
    this.buffer.fill(0, start, start + length);
    return piece;
  }

  /** `length` random bytes as text, encoded straight from the pool (no intermediate copy). */
  text(length: number, encoding: 'base64url' | 'hex'): string {
    const start = this.reserve(length);
    const text = this.buffer.toString(encoding, start, start + length);
    this.buffer.fill(0, start, start + length);
    return text;
  }

  /** The offset of `length` unused bytes, refilling the pool when fewer are left. */
  private reserve(length: number): number {
    if (length > this.buffer.length) throw new RangeError('requested more bytes than the pool holds');
    if (this.offset + length > this.buffer.length) {
      randomFillSync(this.buffer);
      this.offset = 0;
    }
    const start = this.offset;
    this.offset += length;
    return start;
  }
}
