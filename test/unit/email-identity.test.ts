import { describe, expect, it } from 'vitest';
import { emailIdentity, normalizeEmail, unicodeEmailIdentity } from '../../src/domain/email/email.js';

describe('email identity rules', () => {
  it('folds compatibility forms and case fully, and is idempotent', () => {
    const same: [string, string][] = [
      ['\u212Aate@example.com', 'kate@example.com'],
      ['ｋａｔｅ@ｅｘａｍｐｌｅ.ｃｏｍ', 'kate@example.com'],
      ['ﬁle@example.com', 'file@example.com'],
      ['Straße@example.de', 'strasse@example.de'],
      ['\u1E9Ee@example.de', 'sse@example.de'],
      ['ΟΔΥΣΣΕΥΣ@example.gr', 'οδυσσευς@example.gr'],
      ['cafe\u0301@example.fr', 'caf\u00e9@example.fr'],
      ['  Bob@Example.COM ', 'bob@example.com'],
    ];
    for (const [a, b] of same) {
      expect(normalizeEmail(a), a).toBe(normalizeEmail(b));
      expect(normalizeEmail(normalizeEmail(a)), a).toBe(normalizeEmail(a));
    }
    expect(normalizeEmail('k\u0131te@example.com')).not.toBe(normalizeEmail('kite@example.com'));
  });

  it('names the broken rule: invisible characters, mixed scripts, malformed', () => {
    expect(emailIdentity('a\u200bb@example.com')).toMatchObject({ ok: false, rule: 'invisible_character' });
    expect(emailIdentity('a\u202eb@example.com')).toMatchObject({ ok: false, rule: 'invisible_character' });
    expect(emailIdentity('a\ufe0fb@example.com')).toMatchObject({ ok: false, rule: 'invisible_character' });
    expect(emailIdentity('\ufdfa@example.com')).toMatchObject({ ok: false, rule: 'invisible_character' });
    expect(emailIdentity('p\u0430ypal@example.com')).toMatchObject({ ok: false, rule: 'mixed_script' });
    expect(emailIdentity('\ud800@example.com')).toMatchObject({ ok: false, rule: 'malformed' });
    expect(emailIdentity('   ')).toMatchObject({ ok: false, rule: 'malformed' });
    expect(emailIdentity(`${'a'.repeat(2000)}@x`)).toMatchObject({ ok: false, rule: 'malformed' });
    expect(() => normalizeEmail('a\u200bb@example.com')).toThrow(
      expect.objectContaining({
        code: 'validation',
        details: { field: 'email', rule: 'invisible_character' },
      }),
    );
    // Allowed: one script per part, and the CJK mixes UTS #39 allows.
    for (const ok of [
      'иван@пример.рф',
      '山田taro@example.jp',
      'たなか太郎@example.jp',
      'δοκιμή@example.gr',
    ]) {
      expect(emailIdentity(ok), ok).toMatchObject({ ok: true });
    }
  });

  it('gives ASCII addresses the same answer as the general Unicode path', () => {
    // Every ASCII character (controls, space and DEL included) inside, around and alone, plus random mixes.
    const inputs: string[] = ['', 'a'.repeat(320), `${'A'.repeat(321)}`, ' Kate@Example.COM\t'];
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      inputs.push(ch, `a${ch}b@Example.com`, `${ch}Bob@example.com`, `bob@example.com${ch}`);
    }
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 2000; n++) {
      inputs.push(
        Array.from({ length: 1 + (next() % 40) }, () => String.fromCharCode(next() % 128)).join(''),
      );
    }
    for (const input of inputs) {
      expect(emailIdentity(input), JSON.stringify(input)).toEqual(unicodeEmailIdentity(input.trim()));
    }
  });
});
