import { describe, expect, it } from 'vitest';
import { bucketOfToken, bucketedToken } from '../../src/domain/records/session-bucket.js';

const random = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd'; // 42 characters
const token43 = `${random}e`;

describe('bucketOfToken', () => {
  it('reads the base-36 bucket after 43 base64url characters and a dot', () => {
    expect(bucketOfToken(bucketedToken(token43, 20_500))).toBe(20_500);
    expect(bucketOfToken(`${token43}.1`)).toBe(1);
    expect(bucketOfToken(`${token43}.zik0zi`)).toBe(2_147_483_646);
  });

  it('answers the legacy bucket 0 for anything else, as the token format reads', () => {
    for (const token of [
      '',
      token43,
      `${token43}.`,
      `${token43}.0`, // bucket 0 is not minted
      `${token43}.zik0zj`, // past the largest bucket
      `${token43}.1234567`, // seven digits
      `${token43}.1A`, // upper case is not base 36 here
      `${token43}.1\n`,
      `${token43}.1.`,
      `${random}.1`, // 42 characters
      `${token43}x.1`, // 44 characters
      `${random}+.1`, // not base64url
      `${random}\u00e9.1`,
      `${random}\u0130.1`, // a code past the tables
      `${token43}.\u0131`,
    ]) {
      expect(bucketOfToken(token), JSON.stringify(token)).toBe(0);
    }
  });
});
