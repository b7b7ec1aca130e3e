import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { defaultTableNames } from '../../../src/adapters/kysely/passkey/index.js';
import { hasAdminPrivileges } from '../../../src/domain/passkey/rules.js';
import { describePasskeyData, sql } from './backends.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describePasskeyData('oauth2-passkey users', (h) => {
  /** A data store on its own, empty set of tables, so sequence numbers start at 1. */
  async function fresh() {
    const data = h().reopen({ tables: defaultTableNames(`u${randomBytes(4).toString('hex')}_`) });
    await data.init();
    return data;
  }

  it('the first user ever inserted gets sequence number 1 and is made an admin; later ones are not', async () => {
    const data = await fresh();
    const first = await data.upsertUser({ account: 'a@x.io', label: 'A', isAdmin: false });
    const second = await data.upsertUser({ account: 'b@x.io', label: 'B' });
    expect(first).toMatchObject({ sequenceNumber: 1, isAdmin: true, account: 'a@x.io', label: 'A' });
    expect(first.id).toMatch(UUID_V4);
    expect(second).toMatchObject({ sequenceNumber: 2, isAdmin: false });
    expect(hasAdminPrivileges(second)).toBe(false);
  });

  it('updating the first user with isAdmin=false leaves them an admin', async () => {
    const data = await fresh();
    const first = await data.upsertUser({ id: 'first', account: 'a', label: 'A' });
    const again = await data.upsertUser({ id: 'first', account: 'a2', label: 'A2', isAdmin: false });
    expect(again).toMatchObject({ sequenceNumber: 1, isAdmin: true, account: 'a2', label: 'A2' });
    expect(again.createdAt.getTime()).toBe(first.createdAt.getTime());
  });

  it('upsert by id updates account, label and is_admin, keeps created_at and sequence_number', async () => {
    const { data } = h();
    const created = await data.upsertUser({ id: 'keep-me', account: 'k@x.io', label: 'K' });
    const updated = await data.upsertUser({ id: 'keep-me', account: 'k2@x.io', label: 'K2', isAdmin: true });
    expect(updated).toMatchObject({
      id: 'keep-me',
      sequenceNumber: created.sequenceNumber,
      account: 'k2@x.io',
    });
    expect(updated.isAdmin).toBe(true);
    expect(updated.createdAt.getTime()).toBe(created.createdAt.getTime());
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await data.getUser('keep-me')).toEqual(updated);
    expect(await data.getUserBySequenceNumber(created.sequenceNumber)).toEqual(updated);
  });

  it('getAllUsers lists by sequence number; unknown ids give null', async () => {
    const data = await fresh();
    for (const label of ['c', 'a', 'b']) await data.upsertUser({ account: label, label });
    expect((await data.getAllUsers()).map((user) => [user.sequenceNumber, user.label])).toEqual([
      [1, 'c'],
      [2, 'a'],
      [3, 'b'],
    ]);
    expect(await data.getUser('nobody')).toBeNull();
    expect(await data.getUserBySequenceNumber(99)).toBeNull();
  });

  it('deleting a user cascades to their OAuth2 accounts and passkeys, but not their login history', async () => {
    const { data } = h();
    const user = await data.upsertUser({ account: 'gone@x.io', label: 'Gone' });
    await data.upsertOAuth2Account({
      userId: user.id,
      provider: 'google',
      providerUserId: `g-${user.id}`,
      name: 'G',
      email: 'g@x.io',
    });
    await data.storeCredential({
      credentialId: `cred-${user.id}`,
      userId: user.id,
      publicKey: 'pk',
      userHandle: 'uh',
      userName: 'gone',
      userDisplayName: 'Gone',
      aaguid: '00000000-0000-0000-0000-000000000000',
    });
    await data.recordLogin({ userId: user.id, authMethod: 'passkey', success: true });
    expect(await data.deleteUser(user.id)).toBe(true);
    expect(await data.getUser(user.id)).toBeNull();
    expect(await data.getOAuth2AccountsBy({ userId: user.id })).toEqual([]);
    expect(await data.listCredentialsByUser(user.id)).toEqual([]);
    expect(await data.listLogins(user.id)).toHaveLength(1);
    expect(await data.deleteUser(user.id)).toBe(false);
  });

  it('the last admin can be neither deleted nor demoted; with two admins one can', async () => {
    const data = await fresh();
    const first = await data.upsertUser({ account: 'root', label: 'Root' });
    const other = await data.upsertUser({ account: 'other', label: 'Other', isAdmin: true });
    const plain = await data.upsertUser({ account: 'plain', label: 'Plain' });
    // The first user counts as an admin whatever the flag says, so demoting them is refused outright.
    expect(await data.demoteUserIfNotLastAdmin(first.id)).toBe(false);
    expect(await data.demoteUserIfNotLastAdmin(other.id)).toBe(true);
    expect((await data.getUser(other.id))?.isAdmin).toBe(false);
    expect(await data.deleteUserIfNotLastAdmin(first.id)).toBe(false);
    expect(await data.getUser(first.id)).not.toBeNull();
    // Removing a non-admin never removes the last admin, so it is allowed.
    expect(await data.deleteUserIfNotLastAdmin(plain.id)).toBe(true);
    expect(await data.deleteUserIfNotLastAdmin('missing')).toBe(false);
    const third = await data.upsertUser({ account: 'third', label: 'Third', isAdmin: true });
    expect(await data.deleteUserIfNotLastAdmin(first.id)).toBe(true);
    expect(await data.deleteUserIfNotLastAdmin(third.id)).toBe(false);
  });

  it('stores booleans and timestamps in the crate encodings', async () => {
    const { data, dialect, raw, sql: passkeySql } = h();
    const user = await data.upsertUser({ id: 'enc', account: 'e', label: 'E', isAdmin: true });
    const [row] = await raw<{ is_admin: unknown; created_at: unknown }>(
      sql`select is_admin, created_at from ${sql.table(passkeySql.names.users.table)} where id = ${'enc'}`,
    );
    if (dialect === 'sqlite') {
      expect(row!.is_admin).toBe(1);
      expect(row!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+00:00$/);
    } else {
      expect(row!.is_admin).toBe(true);
      expect(row!.created_at).toBeInstanceOf(Date);
    }
    expect(user.createdAt).toBeInstanceOf(Date);
  });

  it('rejects bad input before it reaches the database', async () => {
    const { data } = h();
    await expect(data.upsertUser({ account: 1 as unknown as string, label: 'x' })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(data.getUser('')).rejects.toMatchObject({ code: 'validation' });
    await expect(data.getUserBySequenceNumber(0)).rejects.toMatchObject({ code: 'validation' });
  });
});
