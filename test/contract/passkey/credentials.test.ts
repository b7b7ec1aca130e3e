import { expect, it } from 'vitest';
import type { PasskeyCredentialInput } from '../../../src/domain/passkey/records.js';
import { describePasskeyData, sql } from './backends.js';

describePasskeyData('oauth2-passkey passkey credentials', (h) => {
  let userId = '';
  const credential = (
    credentialId: string,
    extra: Partial<PasskeyCredentialInput> = {},
  ): PasskeyCredentialInput => ({
    credentialId,
    userId,
    publicKey: 'BP8xK7m0pAtnJ1zs',
    userHandle: 'aGFuZGxlLW9mLTMyLWJ5dGVzLWJhc2U2NHVybC1ubw',
    userName: 'ada',
    userDisplayName: 'Ada',
    aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
    rpId: 'example.com',
    ...extra,
  });

  it('stores a credential with counter 0 and the three timestamps, and reads it back', async () => {
    const { data } = h();
    userId = (await data.upsertUser({ account: 'cred-owner', label: 'Owner' })).id;
    const stored = await data.storeCredential(credential('cred-a'));
    expect(stored).toMatchObject({
      credentialId: 'cred-a',
      userId,
      counter: 0,
      rpId: 'example.com',
      aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
    });
    expect(stored.lastUsedAt).toBeInstanceOf(Date);
    expect(await data.getCredential('cred-a')).toEqual(stored);
    expect(await data.getCredential('nope')).toBeNull();
  });

  it('storing again updates the row in place: sequence number and created_at stay, the counter never drops', async () => {
    const { data } = h();
    const first = await data.storeCredential(
      credential('cred-b', { counter: 7, createdAt: new Date('2026-01-01T00:00:00Z') }),
    );
    const again = await data.storeCredential(
      credential('cred-b', { counter: 3, userName: 'ada2', createdAt: new Date('2026-02-02T00:00:00Z') }),
    );
    expect(again).toMatchObject({ sequenceNumber: first.sequenceNumber, counter: 7, userName: 'ada2' });
    expect(again.createdAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect((await data.storeCredential(credential('cred-b', { counter: 9 }))).counter).toBe(9);
  });

  it('updateCounter writes only a higher counter and reports a clone otherwise', async () => {
    const { data } = h();
    await data.storeCredential(credential('cred-c'));
    expect(await data.updateCounter('cred-c', 5)).toEqual({ status: 'updated', counter: 5 });
    expect(await data.updateCounter('cred-c', 5)).toEqual({
      status: 'clone_suspected',
      counter: 5,
      storedCounter: 5,
    });
    expect(await data.updateCounter('cred-c', 4)).toEqual({
      status: 'clone_suspected',
      counter: 4,
      storedCounter: 5,
    });
    expect(await data.updateCounter('cred-c', 0)).toEqual({ status: 'skipped', counter: 0 });
    expect((await data.getCredential('cred-c'))?.counter).toBe(5);
    expect(await data.updateCounter('cred-missing', 3)).toEqual({ status: 'not_found', counter: 3 });
    expect(await data.updateCounter('cred-missing', 0)).toEqual({ status: 'not_found', counter: 0 });
    await expect(data.updateCounter('cred-c', -1)).rejects.toMatchObject({ code: 'validation' });
    await expect(data.updateCounter('cred-c', 2 ** 32)).rejects.toMatchObject({ code: 'validation' });
  });

  it('counters above int4 fit SQLite but are refused up front on PostgreSQL (the crate column is integer)', async () => {
    const { data, dialect } = h();
    await data.storeCredential(credential('cred-big'));
    const big = 3_000_000_000;
    if (dialect === 'sqlite') {
      expect(await data.updateCounter('cred-big', big)).toEqual({ status: 'updated', counter: big });
      expect((await data.getCredential('cred-big'))?.counter).toBe(big);
    } else {
      await expect(data.updateCounter('cred-big', big)).rejects.toMatchObject({ code: 'validation' });
    }
  });

  it('updates last-used time (and updated_at), user details, and lists and deletes by each field', async () => {
    const { data } = h();
    const before = await data.storeCredential(
      credential('cred-d', { userHandle: 'handle-d', userName: 'dee' }),
    );
    const at = new Date('2026-05-13T04:12:33.123Z');
    expect(await data.updateCredentialLastUsedAt('cred-d', at)).toBe(true);
    expect(await data.updateCredentialUserDetails('cred-d', 'dee2', 'Dee Two')).toBe(true);
    const after = await data.getCredential('cred-d');
    expect(after).toMatchObject({ userName: 'dee2', userDisplayName: 'Dee Two', lastUsedAt: at });
    expect(after!.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    expect(await data.updateCredentialLastUsedAt('cred-none')).toBe(false);
    expect((await data.getCredentialsBy({ userHandle: 'handle-d' })).map((c) => c.credentialId)).toEqual([
      'cred-d',
    ]);
    expect((await data.getCredentialsBy({ userName: 'dee2' })).map((c) => c.credentialId)).toEqual([
      'cred-d',
    ]);
    expect((await data.listCredentialsByUser(userId)).map((c) => c.credentialId)).toContain('cred-d');
    expect(await data.deleteCredentialsBy({ credentialId: 'cred-d' })).toBe(1);
    expect(await data.deleteCredentialsBy({ userName: 'dee2' })).toBe(0);
  });

  it("reads rows written by SQL CURRENT_TIMESTAMP defaults (the crate's second text format)", async () => {
    const { data, raw, dialect, sql: passkeySql } = h();
    await raw(sql`insert into ${sql.table(passkeySql.names.passkeyCredentials.table)}
      (credential_id, user_id, public_key, user_handle, user_name, user_display_name, aaguid)
      values (${'cred-default'}, ${userId}, ${'pk'}, ${'uh'}, ${'un'}, ${'dn'}, ${'ag'})`);
    const row = await data.getCredential('cred-default');
    expect(row).toMatchObject({ counter: 0, rpId: '' });
    if (dialect === 'sqlite') {
      const [stored] = await raw<{ created_at: string }>(
        sql`select created_at from ${sql.table(passkeySql.names.passkeyCredentials.table)} where credential_id = ${'cred-default'}`,
      );
      expect(stored!.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      // The text is UTC without a zone designator: read as UTC, not local time.
      expect(row!.createdAt.toISOString()).toBe(`${stored!.created_at.replace(' ', 'T')}.000Z`);
    }
  });

  it('refuses a credential for a missing user', async () => {
    const { data } = h();
    await expect(
      data.storeCredential({ ...credential('cred-orphan'), userId: 'ghost' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('storing an existing credential for another user is a conflict; the credential stays with its owner', async () => {
    const { data } = h();
    const owner = await data.storeCredential(credential('cred-rebind', { counter: 4 }));
    const other = (await data.upsertUser({ account: 'cred-thief', label: 'Thief' })).id;
    await expect(
      data.storeCredential(credential('cred-rebind', { userId: other, publicKey: 'QUJDRA', counter: 9 })),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await data.getCredential('cred-rebind')).toEqual(owner);
    expect(await data.getCredentialsBy({ userId: other })).toEqual([]);
  });
});
