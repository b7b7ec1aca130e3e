import type { SqlStore } from '../../adapters/kysely/index.js';
import {
  ensureExtensionTable,
  extensionTableName,
  KyselyExtensionRepo,
} from '../../adapters/kysely/mitthooks/index.js';
import { defaultLogger } from '../env.js';
import { ConfigError, NotFoundError, UnavailableError, ValidationError } from '../../domain/errors.js';
import type { CipherPort } from '../../ports/cipher.js';
import type { Logger } from '../../ports/system.js';
import { openDatabase, type ConnectionOptions, type DatabaseTarget } from '../open-database.js';
import { assertSecretKeys, createSecretCodec, type SecretCodec } from './secret-codec.js';
import type {
  ExtensionContextKind,
  ExtensionStorage,
  ExtensionToBeAdded,
  ExtensionToBeUpdated,
  StoredExtension,
} from './types.js';

export interface MitthooksExtensionStorageOptions {
  /** A database URL (`postgres://…`, `sqlite:./file.db`, `:memory:`) or an open SqlStore to share. */
  database: DatabaseTarget;
  /** mitthooks-drizzle's master password and salt (used as UTF-8 text), to read its secrets. */
  masterPassword?: string;
  salt?: string;
  /** Our cipher: when given, new secrets are written in its envelope; otherwise in mitthooks' format. */
  keyring?: CipherPort;
  /** Default `extension_instance`. */
  table?: string;
  /** removeInstance: 'hard' deletes the row (upstream); 'soft' deactivates it and erases the secret. */
  removal?: 'hard' | 'soft';
  logger?: Logger;
  /** Connection settings when `database` is a URL. */
  connection?: ConnectionOptions;
}

/** The webhook may carry the context kind; upstream always stored 'project'. Accepted when given. */
export type ExtensionToBeAddedWithContext = ExtensionToBeAdded & { context?: ExtensionContextKind };

const MAX_ID = 36;

function text(value: unknown, field: string, max?: number): string {
  if (typeof value !== 'string' || (max !== undefined && (value.length === 0 || value.length > max))) {
    throw new ValidationError(
      max === undefined ? `${field} must be a string` : `${field} must be a string of 1-${max} characters`,
      { details: { field } },
    );
  }
  return value;
}

function scopes(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string')) {
    throw new ValidationError('consentedScopes must be an array of strings', {
      details: { field: 'consentedScopes' },
    });
  }
  return [...value];
}

function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, field);
}

function contextKind(value: unknown): ExtensionContextKind | undefined {
  if (value === undefined) return undefined;
  if (value === 'customer' || value === 'project') return value;
  throw new ValidationError("context must be 'customer' or 'project'", { details: { field: 'context' } });
}

/**
 * mitthooks' ExtensionStorage over mitthooks-drizzle's `extension_instance` table, secret encrypted.
 * Fixes upstream's defects: an empty secret round-trips, variantKey is stored, a repeated add refreshes
 * the scopes, removal is hard or soft, and columns the caller added to the table are left alone.
 * update and rotateSecret for an unknown instance throw NotFoundError (mitthooks re-throws, so the
 * webhook is retried, e.g. when it overtook the add) instead of silently doing nothing.
 */
export class MitthooksExtensionStorage implements ExtensionStorage {
  readonly table: string;
  private readonly store: SqlStore;
  private readonly ownsStore: boolean;
  private readonly removal: 'hard' | 'soft';
  private readonly logger: Logger;
  readonly #keys: Pick<MitthooksExtensionStorageOptions, 'masterPassword' | 'salt' | 'keyring'>;
  private ready: Promise<{ repo: KyselyExtensionRepo; secrets: SecretCodec }> | undefined;
  private closed = false;

  constructor(options: MitthooksExtensionStorageOptions) {
    if (!options || typeof options !== 'object')
      throw new ConfigError('mitthooks storage options are required');
    const { masterPassword, salt, keyring, removal = 'hard' } = options;
    assertSecretKeys({ masterPassword, salt, keyring });
    if (removal !== 'hard' && removal !== 'soft') throw new ConfigError("removal must be 'hard' or 'soft'");
    this.table = extensionTableName(options.table);
    this.removal = removal;
    this.#keys = { masterPassword, salt, keyring };
    this.logger = options.logger ?? defaultLogger();
    const opened = openDatabase(
      options.database,
      options.connection ?? {},
      this.logger,
      'MitthooksExtensionStorage',
    );
    this.store = opened.store;
    this.ownsStore = opened.owned;
  }

  /** Derives the legacy key (scrypt, off the event loop) and creates the table when missing. */
  async start(): Promise<void> {
    await this.parts();
  }

  upsertExtension = async (extension: ExtensionToBeAddedWithContext): Promise<void> => {
    const id = text(extension?.extensionInstanceId, 'extensionInstanceId', MAX_ID);
    const input = {
      id,
      contextId: text(extension.contextId, 'contextId', MAX_ID),
      consentedScopes: scopes(extension.consentedScopes),
      variantKey: optionalText(extension.variantKey, 'variantKey'),
      context: contextKind(extension.context),
      // An empty secret is a secret: upstream wrote it and then could not read it back.
      secret: text(extension.secret, 'secret'),
    };
    const { repo, secrets } = await this.parts();
    await repo.upsert({ ...input, secret: secrets.write(id, input.secret) }, new Date());
  };

  updateExtension = async (extension: ExtensionToBeUpdated): Promise<void> => {
    const id = text(extension?.extensionInstanceId, 'extensionInstanceId', MAX_ID);
    if (typeof extension.enabled !== 'boolean') {
      throw new ValidationError('enabled must be a boolean', { details: { field: 'enabled' } });
    }
    const input = {
      id,
      contextId: text(extension.contextId, 'contextId', MAX_ID),
      consentedScopes: scopes(extension.consentedScopes),
      enabled: extension.enabled,
      variantKey: optionalText(extension.variantKey, 'variantKey'),
    };
    const { repo } = await this.parts();
    if (!(await repo.update(input, new Date()))) throw this.unknown('update');
  };

  rotateSecret = async (extensionInstanceId: string, secret: string): Promise<void> => {
    const id = text(extensionInstanceId, 'extensionInstanceId', MAX_ID);
    const plain = text(secret, 'secret');
    const { repo, secrets } = await this.parts();
    if (!(await repo.setSecret(id, secrets.write(id, plain), new Date()))) throw this.unknown('rotateSecret');
  };

  /** Removing an instance that is not there is not an error (the webhook may be delivered twice). */
  removeInstance = async (extensionInstanceId: string): Promise<void> => {
    const id = text(extensionInstanceId, 'extensionInstanceId', MAX_ID);
    const { repo } = await this.parts();
    if (this.removal === 'hard') await repo.delete(id);
    else await repo.deactivate(id, new Date());
  };

  /** The instance with its secret decrypted, or null. A secret that fails to decrypt is an IntegrityError. */
  async getExtension(extensionInstanceId: string): Promise<StoredExtension | null> {
    const id = text(extensionInstanceId, 'extensionInstanceId', MAX_ID);
    const { repo, secrets } = await this.parts();
    const record = await repo.find(id);
    if (!record) return null;
    return {
      extensionInstanceId: record.id,
      contextId: record.contextId,
      consentedScopes: record.consentedScopes,
      enabled: record.active,
      ...(record.variantKey === null ? {} : { variantKey: record.variantKey }),
      secret: record.secret === null ? null : secrets.read(record.id, record.secret),
      context: record.context,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  /** Closes the connection if this storage opened it; later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsStore) await this.store.close();
  }

  private parts(): Promise<{ repo: KyselyExtensionRepo; secrets: SecretCodec }> {
    if (this.closed)
      return Promise.reject(new UnavailableError('the mitthooks storage is closed', { retryable: false }));
    this.ready ??= (async () => {
      const [columns, secrets] = await Promise.all([
        ensureExtensionTable(this.store, this.table),
        createSecretCodec(this.#keys, this.table),
      ]);
      return { repo: new KyselyExtensionRepo(this.store, this.table, columns), secrets };
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private unknown(op: string): NotFoundError {
    this.logger.warn({ op, table: this.table }, 'mitthooks webhook for an unknown extension instance');
    return new NotFoundError('extension instance not found', { details: { op } });
  }
}
