import { LegacyReadingCipher } from '../../adapters/crypto/legacy/legacy-cipher.js';
import { DbstoreCipher } from '../../adapters/crypto/legacy/legacy-dbstore.js';
import {
  ensureKeyValueTable,
  keyValueTableName,
  KyselyKeyValueRepo,
} from '../../adapters/kysely/keyvalue/index.js';
import { defaultLogger } from '../env.js';
import { ConfigError } from '../../domain/errors.js';
import type { CipherPort } from '../../ports/cipher.js';
import type { Logger } from '../../ports/system.js';
import { openDatabase, type ConnectionOptions, type DatabaseTarget } from '../open-database.js';
import { KeyValueStore } from './keyvalue-store.js';
import { dbstoreValues, envelopeValues, plainValues, type ValueCodec } from './value-codec.js';

export interface KeyValueStoreOptions {
  /** A database URL (`postgres://…`, `sqlite:./kv.db`, `:memory:`) or an open SqlStore to share. */
  database: DatabaseTarget;
  /** Table name (default `keyvalue`), folded to lower case as PostgreSQL folded dbstore's. */
  table?: string;
  /**
   * dbstore-manager's key: exactly 32 bytes (a string's UTF-8 bytes, never decoded), to read its
   * encrypted rows. Alone, new values are written in dbstore's format; with `keyring`, in ours.
   * Unlike dbstore, the ENCRYPTION_KEY environment variable is not consulted.
   */
  encryptionKey?: string | Uint8Array;
  /** Our cipher (e.g. AesGcmKeyring): new values are written in its envelope, bound to their key. */
  keyring?: CipherPort;
  /**
   * Whether unencrypted rows are returned when encryption is configured. Default false: whoever can
   * write to the table could otherwise replace a sealed value with plain JSON (`{"role":"admin"}`).
   * Set true only for a migration window (dbstore kept rows written before a key was set), run
   * `reencrypt()` to seal them, then drop the option.
   */
  allowPlaintext?: boolean;
  /** Failures return neutral values and are logged instead of thrown (see KeyValueStore). */
  ignoreError?: boolean;
  /** clear() is refused unless this is true. */
  allowClear?: boolean;
  /** Rows per page when iterating and listing (default 1000). */
  pageSize?: number;
  logger?: Logger;
  /** Connection settings when `database` is a URL (pool size, schema, timeouts). */
  connection?: ConnectionOptions;
}

function valueCodec(options: KeyValueStoreOptions, table: string): ValueCodec {
  const { encryptionKey, keyring, allowPlaintext = false } = options;
  // Checked here, at start-up: a key of the wrong length never reaches a random-salt fallback.
  const dbstore =
    encryptionKey === undefined || encryptionKey === null ? undefined : new DbstoreCipher(encryptionKey);
  if (keyring) {
    const cipher = new LegacyReadingCipher({
      primary: keyring,
      dbstore,
      plaintext: allowPlaintext ? 'allow' : 'refuse',
    });
    return envelopeValues(cipher, table);
  }
  return dbstore ? dbstoreValues(dbstore, allowPlaintext) : plainValues;
}

/** dbstore's API over a PostgreSQL or SQLite table; the table is created on first use when missing. */
export function createKeyValueStore(options: KeyValueStoreOptions): KeyValueStore {
  if (!options || typeof options !== 'object') throw new ConfigError('key-value store options are required');
  const table = keyValueTableName(options.table);
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
    throw new ConfigError('pageSize must be an integer between 1 and 10000');
  }
  const codec = valueCodec(options, table);
  const logger = options.logger ?? defaultLogger();
  const { store, owned } = openDatabase(
    options.database,
    options.connection ?? {},
    logger,
    'createKeyValueStore',
  );
  return new KeyValueStore({
    store,
    ownsStore: owned,
    repo: new KyselyKeyValueRepo(store, table),
    table,
    codec,
    prepare: () => ensureKeyValueTable(store, table),
    logger,
    ignoreError: options.ignoreError === true,
    allowClear: options.allowClear === true,
    pageSize,
  });
}
