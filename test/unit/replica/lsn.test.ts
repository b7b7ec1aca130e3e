import { describe, expect, it } from 'vitest';
import {
  formatLsn,
  lastRecordEnd,
  parseLsn,
  parseSizeSetting,
} from '../../../src/adapters/kysely/connection/replica/lsn.js';

describe('WAL positions', () => {
  it('parses and formats pg_lsn text, comparing across the 32-bit halves', () => {
    expect(parseLsn('0/3000060')).toBe(0x3000060n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
    expect(() => parseLsn('16/B374D848; drop')).toThrow();
  });

  it('reads sizes as current_setting shows them', () => {
    expect(parseSizeSetting('8192')).toBe(8192n);
    expect(parseSizeSetting('16MB')).toBe(16n * 1024n * 1024n);
    expect(parseSizeSetting('1GB')).toBe(1024n ** 3n);
  });

  it('maps an insert position just past a page header back to the page start, and nothing else', () => {
    const block = 8192n;
    const segment = 16n * 1024n * 1024n;
    // Seen on an idle server after a segment switch: insert 0/3000028, standby replayed 0/3000000.
    expect(lastRecordEnd(parseLsn('0/3000028'), block, segment)).toBe(parseLsn('0/3000000'));
    expect(lastRecordEnd(0x3002018n, block, segment)).toBe(0x3002000n);
    // A record may end 40 bytes into an ordinary page (a continuation): that is a real position.
    expect(lastRecordEnd(0x3002028n, block, segment)).toBe(0x3002028n);
    expect(lastRecordEnd(0x3000060n, block, segment)).toBe(0x3000060n);
  });
});
