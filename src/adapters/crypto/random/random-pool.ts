import { randomFillSync } from 'node:crypto';

/**
 * Fresh random bytes in small pieces, drawn from a CSPRNG buffer refilled in bulk: one call into the
 * generator per few thousand IVs instead of one per IV, which dominated the cost of encrypting. Every
 * piece is copied out and the buffer is never reused before it is refilled, so no two pieces overlap.
 */
export class RandomPool {
  private readonly buffer: Buffer;
  private offset: number;

  constructor(size = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(size);
    this.offset = size;
  }

  take(length: number): Buffer {
    if (length > this.buffer.length) throw new RangeError('requested more bytes than the pool holds');
    if (this.offset + length > this.buffer.length) {
      randomFillSync(this.buffer);
      this.offset = 0;
    }
    const piece = Buffer.from(this.buffer.subarray(this.offset, this.offset + length));
    this.offset += length;
    return piece;
  }
}
