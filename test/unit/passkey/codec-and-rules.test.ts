import { describe, expect, it } from 'vitest';
import { formatRfc3339, parseTimestampText } from '../../../src/adapters/kysely/passkey/index.js';
import { hasAdminPrivileges, truncateUtf8 } from '../../../src/domain/passkey/rules.js';

describe('oauth2-passkey timestamp text', () => {
  it("writes RFC 3339 with +00:00 and chrono's AutoSi fraction (none, or 3 digits for milliseconds)", () => {
    expect(formatRfc3339(new Date('2026-05-13T04:12:33Z'))).toBe('2026-05-13T04:12:33+00:00');
    expect(formatRfc3339(new Date('2026-05-13T04:12:33.120Z'))).toBe('2026-05-13T04:12:33.120+00:00');
    expect(formatRfc3339(new Date('0999-01-02T03:04:05.006Z'))).toBe('0999-01-02T03:04:05.006+00:00');
  });

  it.each([
    ['2026-05-13T04:12:33.123456789+00:00', '2026-05-13T04:12:33.123Z'],
    ['2026-05-13T04:12:33.123456+00:00', '2026-05-13T04:12:33.123Z'],
    ['2026-05-13T04:12:33+00:00', '2026-05-13T04:12:33.000Z'],
    ['2026-05-13T04:12:33.5Z', '2026-05-13T04:12:33.500Z'],
    ['2026-05-13 04:12:33', '2026-05-13T04:12:33.000Z'],
    ['2026-05-13 04:12:33.25', '2026-05-13T04:12:33.250Z'],
    ['2026-05-13T04:12:33', '2026-05-13T04:12:33.000Z'],
    ['2026-05-13 04:12', '2026-05-13T04:12:00.000Z'],
    ['2026-05-13T13:12:33+09:00', '2026-05-13T04:12:33.000Z'],
    ['2026-05-12T23:12:33.1-05:00', '2026-05-13T04:12:33.100Z'],
  ])('reads %s', (text, iso) => {
    expect(parseTimestampText(text).toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '2026-05-13', '2026-13-45T99:99:99Z', '13/05/2026 04:12'])(
    'refuses %o',
    (text) => {
      expect(() => parseTimestampText(text)).toThrow(expect.objectContaining({ code: 'integrity' }));
    },
  );

  it('text of the written form sorts in time order', () => {
    const dates = [
      '2026-05-13T04:12:33Z',
      '2026-05-13T04:12:33.001Z',
      '2026-05-13T04:12:33.120Z',
      '2026-05-13T04:12:34Z',
    ].map((s) => new Date(s));
    const texts = dates.map(formatRfc3339);
    expect([...texts].sort()).toEqual(texts);
    // A crate value with more digits falls between ours at the right place.
    expect([texts[2]!, '2026-05-13T04:12:33.120500+00:00', texts[3]!].sort()).toEqual([
      texts[2],
      '2026-05-13T04:12:33.120500+00:00',
      texts[3],
    ]);
  });
});

describe('oauth2-passkey rules', () => {
  it('truncates UTF-8 on a character boundary', () => {
    expect(truncateUtf8('abc', 512)).toBe('abc');
    expect(truncateUtf8('ab€', 4)).toBe('ab');
    expect(truncateUtf8('ab€', 5)).toBe('ab€');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
  });

  it('sequence number 1 has admin privileges whatever its flag', () => {
    expect(hasAdminPrivileges({ isAdmin: false, sequenceNumber: 1 })).toBe(true);
    expect(hasAdminPrivileges({ isAdmin: false, sequenceNumber: 2 })).toBe(false);
    expect(hasAdminPrivileges({ isAdmin: true, sequenceNumber: 9 })).toBe(true);
  });
});
