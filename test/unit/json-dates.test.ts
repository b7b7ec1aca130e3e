import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/domain/errors.js';
import { parseWithDates, stringifyWithDates } from '../../src/domain/fields/json-dates.js';

describe('JSON that keeps its Dates', () => {
  it('brings Dates back where they were, at any depth, and leaves date-like strings alone', () => {
    const value = {
      at: new Date('2030-01-02T03:04:05.678Z'),
      list: [1, new Date(0), { deep: [new Date(86_400_000)] }],
      text: '2030-01-02T03:04:05.678Z',
      nothing: null,
    };
    const back = parseWithDates(stringifyWithDates(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect((back.list[2] as { deep: Date[] }).deep[0]).toBeInstanceOf(Date);
    expect(typeof back.text).toBe('string');
    expect(parseWithDates(stringifyWithDates(new Date(5)))).toEqual(new Date(5));
  });

  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const back = parseWithDates(stringifyWithDates(value)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses text that is not in its format, or whose date paths do not point at strings', () => {
    expect(() => parseWithDates('not json')).toThrow(IntegrityError);
    expect(() => parseWithDates('{"a": 1}')).toThrow(IntegrityError);
    expect(() => parseWithDates('{"v": 1, "value": {"a": 1}, "dates": [["a"]]}')).toThrow(IntegrityError);
    expect(() => parseWithDates('{"v": 1, "value": {}, "dates": [["x", "y"]]}')).toThrow(IntegrityError);
    expect(() => parseWithDates('{"v": 1, "value": {}, "dates": [["x", "y", "z"]]}')).toThrow(IntegrityError);
    expect(() => parseWithDates('{"v": 1, "value": {"a": "x"}, "dates": ["a"]}')).toThrow(IntegrityError);
    expect(() => parseWithDates('{"v": 1, "value": {"a": {"b": "x"}}, "dates": [["a", {}]]}')).toThrow(
      IntegrityError,
    );
  });
});
