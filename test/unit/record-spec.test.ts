import { describe, expect, it } from 'vitest';
import { parseInput, parsePatch } from '../../src/domain/fields/record-spec.js';
import { parsePatchWithFixed } from '../../src/domain/fields/fixed-fields.js';
import {
  TWO_FACTOR_DEVICE_FIXED_FIELDS,
  twoFactorDevicePatchSpec,
} from '../../src/domain/specs/two-factor.js';
import { organizationSpec, sessionSpec, userSpec } from '../../src/domain/specs/core.js';

describe('record specs refuse Object.prototype names as fields', () => {
  const hostile = [
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    { toString: 'x' },
    { hasOwnProperty: 1 },
  ];

  it('in update objects: a validation error, and nothing reaches any prototype', () => {
    for (const patch of hostile) {
      expect(() => parsePatch(userSpec, patch)).toThrow(expect.objectContaining({ code: 'validation' }));
      expect(() => parsePatch(sessionSpec, { plan: 'p', ...patch })).toThrow(
        expect.objectContaining({ code: 'validation' }),
      );
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('in create inputs and nested objects', () => {
    for (const extra of hostile) {
      expect(() => parseInput(userSpec, { email: 'a@b.c', ...extra })).toThrow(
        expect.objectContaining({ code: 'validation' }),
      );
    }
    const member = {
      userId: 'u',
      role: 'owner',
      joinedAt: new Date(),
      ...JSON.parse('{"__proto__": {"x": 1}}'),
    };
    expect(() => parseInput(organizationSpec, { name: 'o', plan: 'p', seats: 1, members: [member] })).toThrow(
      expect.objectContaining({ code: 'validation' }),
    );
  });
});

describe('update objects with fixed fields', () => {
  // Found by the reliability fuzz pass (seed 882933): "__proto__" looked up Object.prototype as a fixed-field rule.
  it('treats prototype key names as fields, never as fixed-field rules', () => {
    for (const json of ['{"__proto__": {"x": 1}}', '{"constructor": 1}', '{"toString": "x"}']) {
      let failure: unknown = null;
      try {
        parsePatchWithFixed(twoFactorDevicePatchSpec, TWO_FACTOR_DEVICE_FIXED_FIELDS, JSON.parse(json));
      } catch (error) {
        failure = error;
      }
      if (failure !== null) expect(failure).toMatchObject({ code: 'validation' });
    }
    expect(() =>
      parsePatchWithFixed(
        twoFactorDevicePatchSpec,
        TWO_FACTOR_DEVICE_FIXED_FIELDS,
        JSON.parse('{"__proto__": {"x": 1}}'),
      ),
    ).toThrow(expect.objectContaining({ code: 'validation' }));
  });
});
