import { describe, expect, it } from 'vitest';
import { beginWithSettings, splitPoolerFlag } from '../../src/adapters/kysely/connection/pooler.js';

describe('the ?pgbouncer=true URL form', () => {
  it('is read and removed, other parameters kept', () => {
    expect(splitPoolerFlag('postgres://u:p@h:6432/db?sslmode=require&pgbouncer=true')).toEqual({
      url: 'postgres://u:p@h:6432/db?sslmode=require',
      pooler: 'transaction',
    });
    expect(splitPoolerFlag('postgres://h/db?pgbouncer=1')).toEqual({
      url: 'postgres://h/db',
      pooler: 'transaction',
    });
    expect(splitPoolerFlag('postgres://h/db?pgbouncer=false')).toEqual({
      url: 'postgres://h/db',
      pooler: false,
    });
    expect(splitPoolerFlag('postgres://h/db?sslmode=disable')).toEqual({
      url: 'postgres://h/db?sslmode=disable',
      pooler: undefined,
    });
  });

  it('a value other than true/false is a config error that does not echo the URL', () => {
    expect(() => splitPoolerFlag('postgres://u:secret@h/db?pgbouncer=yes')).toThrow(
      expect.objectContaining({ code: 'config', message: expect.not.stringContaining('secret') }),
    );
  });

  it('the opening message sets only what is configured, with SET LOCAL', () => {
    expect(beginWithSettings('begin', { statementTimeoutMs: 5000, schema: 'auth' })).toBe(
      'begin; set local statement_timeout = 5000; set local search_path = auth',
    );
    expect(beginWithSettings('begin', { statementTimeoutMs: 0, schema: undefined })).toBe('begin');
  });
});
