export { PasskeySql, type PasskeyDb, type PasskeyTrx } from './context.js';
export { createPasskeyTables } from './schema/ddl.js';
export { checkPasskeyTables, EXPECTED_COLUMNS } from './schema/schema-check.js';
export {
  defaultTableNames,
  parseTableName,
  resolveTableNames,
  indexStem,
  type PasskeyTableNames,
  type ResolvedTableNames,
  type TableName,
} from './schema/table-names.js';
export { formatRfc3339, parseTimestampText, passkeyCodecFor, type PasskeyCodec } from './passkey-codec.js';
export { PasskeyUserRepo } from './repos/user-repo.js';
export { OAuth2AccountRepo, OAUTH2_COLUMNS, type OAuth2Column } from './repos/oauth2-account-repo.js';
export { PasskeyCredentialRepo, CREDENTIAL_COLUMNS, type CredentialColumn } from './repos/credential-repo.js';
export { LoginHistoryRepo } from './repos/login-history-repo.js';
export { initPasskeyTables } from './init.js';
