import type { SqlStore } from '../../../adapters/kysely/index.js';
import type { EncryptedColumnSpec } from '../../../adapters/kysely/sealing/encrypted-columns.js';
import { describeColumns } from '../../../adapters/kysely/schema/introspect.js';
import { accountTokenRowId, TOKEN_COLUMNS } from '../../authjs/account-tokens.js';

/**
 * better-auth's default names for the account tokens `sealOAuthTokens` seals (better-auth 1.7
 * `getAuthTables`: model `account`, fields `accessToken`, `refreshToken`, `idToken`, string id). The CLI
 * does not load better-auth: custom names or `usePlural` rotate through `rotateBetterAuthSecrets`.
 */
const BETTER_AUTH = { table: 'account', idColumn: 'id', columns: ['accessToken', 'refreshToken', 'idToken'] };
/** @auth/pg-adapter's `accounts` and @auth/kysely-adapter's `Account`, whose tokens sealAccountTokens seals. */
const AUTHJS = {
  tables: ['accounts', 'Account'],
  idColumn: 'id',
  identity: ['provider', 'providerAccountId'],
};

const TEXT_TYPES = ['text', 'character varying'];

export interface FoundAccountTokens {
  /** better-auth's account token columns, as rotation specs; empty when not found. */
  betterAuth: EncryptedColumnSpec[];
  /** Auth.js's account token columns (bound to provider and provider account id); empty when not found. */
  authjs: EncryptedColumnSpec[];
}

/**
 * Looks for better-auth's and Auth.js's account token columns under their default names. Tokens in clear are
 * sealed only on request: an app that does not seal them (sealing off) would read envelopes.
 */
export async function findAccountTokens(
  store: SqlStore,
  clearValues: 'adopt' | 'skip',
): Promise<FoundAccountTokens> {
  const tables = [BETTER_AUTH.table, ...AUTHJS.tables];
  const columns = await store.run(() => describeColumns(store.typed(), store.dialect, tables), {
    idempotent: true,
  });
  const typeOf = (table: string, column: string) =>
    columns.find((c) => c.table === table && c.column === column)?.type;
  const hasAll = (table: string, names: string[]) => names.every((n) => typeOf(table, n) !== undefined);
  // A text id only: that is what the adapter binds sealed tokens to by default (numeric ids need the options).
  const textId = TEXT_TYPES.includes(typeOf(BETTER_AUTH.table, BETTER_AUTH.idColumn) ?? '');
  const betterAuth =
    textId && hasAll(BETTER_AUTH.table, BETTER_AUTH.columns)
      ? BETTER_AUTH.columns.map((column) => ({
          table: BETTER_AUTH.table,
          idColumn: BETTER_AUTH.idColumn,
          column,
          clearValues,
        }))
      : [];
  const authjsTable = AUTHJS.tables.find((table) =>
    hasAll(table, [AUTHJS.idColumn, ...AUTHJS.identity, ...TOKEN_COLUMNS]),
  );
  const authjs = authjsTable
    ? TOKEN_COLUMNS.map((column) => ({
        table: authjsTable,
        idColumn: AUTHJS.idColumn,
        column,
        clearValues,
        boundTo: {
          columns: AUTHJS.identity,
          rowId: ([provider, providerAccountId]: readonly unknown[]) =>
            accountTokenRowId(provider, providerAccountId),
        },
      }))
    : [];
  return { betterAuth, authjs };
}
