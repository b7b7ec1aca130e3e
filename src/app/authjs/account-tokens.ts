import type { AuthjsAccount } from '../../ports/authjs-store.js';
import type { CipherContext, CipherPort } from '../../ports/cipher.js';

/** The OAuth token columns of `accounts`: bearer credentials at an identity provider. */
export const TOKEN_COLUMNS = ['refresh_token', 'access_token', 'id_token'] as const;

/** The row id an account's tokens are bound to: its identity, which never changes, not its storage id. */
export function accountTokenRowId(provider: unknown, providerAccountId: unknown): string {
  return JSON.stringify([provider, providerAccountId]);
}

/**
 * Seals an account's OAuth tokens with the keyring before they are stored, and opens them when read. The
 * account's identity (provider, providerAccountId) is the associated data, so a sealed token copied to
 * another account does not open. Values that are not envelopes (rows written before sealing, or by
 * another adapter) are read as they are, so turning sealing on needs no conversion.
 */
export class AccountTokens {
  constructor(
    private readonly cipher: CipherPort,
    private readonly table: string,
    private readonly sealing: boolean,
  ) {}

  private context(account: AuthjsAccount, column: string): CipherContext {
    return {
      table: this.table,
      column,
      rowId: accountTokenRowId(account.provider, account.providerAccountId),
    };
  }

  seal(account: AuthjsAccount): AuthjsAccount {
    if (!this.sealing) return account;
    const sealed = { ...account };
    for (const column of TOKEN_COLUMNS) {
      const value = account[column];
      if (value !== null) sealed[column] = this.cipher.encrypt(value, this.context(account, column));
    }
    return sealed;
  }

  /**
   * The account with every token sealed under the active key (clear values sealed, other keys' envelopes
   * opened and sealed again), or null when each already is: migrateAuthjs's conversion and key rotation.
   */
  reseal(account: AuthjsAccount): AuthjsAccount | null {
    const active = this.cipher.activeKeyId;
    const resealed = { ...account };
    let changed = false;
    for (const column of TOKEN_COLUMNS) {
      const value = account[column];
      if (value === null || this.cipher.keyIdOf(value) === active) continue;
      const context = this.context(account, column);
      const plain = this.cipher.keyIdOf(value) === null ? value : this.cipher.decrypt(value, context);
      resealed[column] = this.cipher.encrypt(plain, context);
      changed = true;
    }
    return changed ? resealed : null;
  }

  open(account: AuthjsAccount): AuthjsAccount {
    const opened = { ...account };
    for (const column of TOKEN_COLUMNS) {
      const value = account[column];
      if (value !== null && this.cipher.keyIdOf(value) !== null) {
        opened[column] = this.cipher.decrypt(value, this.context(account, column));
      }
    }
    return opened;
  }
}
