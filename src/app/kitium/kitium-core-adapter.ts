import {
  runMigrations,
  readMigrationStatus,
  verifySchema,
  type MigrationContext,
  type SqlStore,
} from '../../adapters/kysely/index.js';
import { Sha256TokenDigest } from '../../adapters/crypto/hashing/token-digest.js';
import { pgNotifier } from '../../adapters/kysely/notify.js';
import { systemClock } from '../../adapters/system/clock.js';
import { uuidV7Ids } from '../../adapters/crypto/random/id-generator.js';
import { sweepExpired, type SweepCounts } from '../../adapters/kysely/sweeper.js';
import { ConfigError, ValidationError } from '../../domain/errors.js';
import type {
  ApiKeyRecord,
  AuthEvent,
  CreateUserInput,
  EmailVerificationToken,
  OAuthLink,
  OrganizationRecord,
  SessionRecord,
  UpdateUserInput,
  UserRecord,
} from '../../domain/records/records.js';
import type { Clock, HealthStatus, Logger } from '../../ports/system.js';
import { kitiumMigrations } from '../../../migrations/index.js';
import { upstreamTimeZone } from '../../../migrations/upstream/time-zones.js';
import { defaultLogger, envValue, type Env } from '../env.js';
import { openKitiumCache, type KitiumCache, type KitiumCacheOptions } from '../cache/kitium-cache.js';
import { resolveCipher, type KitiumCipherOptions } from './cipher-option.js';
import { createKitiumContext, type KitiumContext } from './context.js';
import { ApiKeyFacade, type IssuedApiKey } from './groups/api-keys.js';
import { EmailTokenFacade, EventFacade } from './groups/email-tokens.js';
import { OrganizationFacade } from './groups/organizations.js';
import { SessionFacade } from './groups/sessions.js';
import { UserFacade } from './groups/users.js';
import type { StorageAdapter } from './storage-adapter.js';
import { schemaSummary } from '../schema-summary.js';
import type { ExtraInput, NoExtra, WithExtra } from '../../domain/fields/extra-fields.js';

/** Options every kitium facade takes, whatever the database. */
export interface KitiumAdapterOptions extends KitiumCacheOptions, KitiumCipherOptions {
  logger?: Logger;
  /** HMAC pepper for session-token and API-key digests (at least 16 bytes). Changing it invalidates them. */
  tokenPepper?: string;
  clock?: Clock;
  /** Where AUTHKEEP_* variables are read from (default process.env); see the README's table. */
  env?: Env;
  /**
   * Adopting an @kitiumai/auth-postgres database: the IANA zone its process ran in (its Dates were stored
   * as local time). Default: AUTHKEEP_UPSTREAM_TIME_ZONE, else this process's zone.
   */
  upstreamTimeZone?: string;
  /**
   * What connect() does with the schema: `'apply'` runs pending migrations (default); `'verify'` only
   * checks that the schema matches (for teams that apply `authkeep schema` output themselves) and fails
   * with a `config` error listing the differences; `'skip'` trusts it.
   */
  migrations?: MigrationsMode;
}

export type MigrationsMode = 'apply' | 'verify' | 'skip';
const MIGRATIONS_MODES: readonly MigrationsMode[] = ['apply', 'verify', 'skip'];

/**
 * The required half of the @kitiumai/auth StorageAdapter over one SQL store, plus upstream's extras.
 * Each method validates, calls one facade group, and returns records with Dates; the groups hold the
 * rules, the repositories hold the SQL. `KitiumStorageAdapter` adds the optional groups on top.
 */
export class KitiumCoreAdapter implements StorageAdapter {
  protected readonly ctx: KitiumContext;
  private readonly apiKeys: ApiKeyFacade;
  private readonly sessions: SessionFacade;
  private readonly organizations: OrganizationFacade;
  private readonly users: UserFacade;
  private readonly emailTokens: EmailTokenFacade;
  private readonly events: EventFacade;
  private connected: Promise<void> | undefined;
  private readonly cache: KitiumCache | undefined;
  private readonly upstreamTimeZone: string | undefined;
  private readonly migrationsMode: MigrationsMode;

  protected constructor(store: SqlStore, options: KitiumAdapterOptions) {
    // First: a bad key is a config error before anything else (cache connections) is opened.
    const cipher = resolveCipher(options, options.env);
    const zone =
      options.upstreamTimeZone ?? envValue(options.env ?? process.env, 'AUTHKEEP_UPSTREAM_TIME_ZONE');
    if (zone !== undefined) upstreamTimeZone(zone);
    this.upstreamTimeZone = zone;
    this.migrationsMode = options.migrations ?? 'apply';
    if (!MIGRATIONS_MODES.includes(this.migrationsMode)) {
      throw new ConfigError(`migrations must be one of ${MIGRATIONS_MODES.join(', ')}`);
    }
    const logger = options.logger ?? defaultLogger(options.env);
    const clock = options.clock ?? systemClock;
    this.cache = openKitiumCache(options, logger, clock, {
      tokenPepper: options.tokenPepper,
      cipher,
      postgres: options.cacheBusDatabase,
      notify: store.dialect === 'postgres' ? pgNotifier(store) : undefined,
      env: options.env,
    });
    const ctx = createKitiumContext(store, {
      clock,
      ids: uuidV7Ids,
      digest: new Sha256TokenDigest(options.tokenPepper),
      logger,
      cipher,
    });
    // The cache sits in front of the session, API-key and user repositories (read-through, revocation).
    this.ctx = this.cache ? this.cache.wrap(ctx) : ctx;
    this.apiKeys = new ApiKeyFacade(this.ctx);
    this.sessions = new SessionFacade(this.ctx);
    this.organizations = new OrganizationFacade(this.ctx);
    this.users = new UserFacade(this.ctx);
    this.emailTokens = new EmailTokenFacade(this.ctx);
    this.events = new EventFacade(this.ctx);
  }

  /** The SQL store underneath, for operator tooling (CLI status, sweeps); not part of the contract. */
  get sqlStore(): SqlStore {
    return this.ctx.store;
  }

  /** Prepares the schema as the `migrations` option says (once per adapter; safe across processes). */
  async connect(): Promise<void> {
    // The invalidation bus opens now, so the first revocation does not wait for (or miss) the subscription.
    this.cache?.start();
    this.connected ??= this.prepareSchema().then(
      () => undefined,
      (error: unknown) => {
        this.connected = undefined;
        throw error;
      },
    );
    return this.connected;
  }

  private async prepareSchema(): Promise<void> {
    if (this.migrationsMode === 'skip') return;
    if (this.migrationsMode === 'apply') {
      await this.migrate();
      return;
    }
    const differences = await verifySchema(this.ctx.store, kitiumMigrations, this.migrationContext());
    if (differences.length > 0) {
      // One line, not one per difference: they are in details (and `authkeep verify --verbose`).
      const { pending } = await readMigrationStatus(this.ctx.store, kitiumMigrations);
      throw new ConfigError(
        `${schemaSummary(differences.length, pending.length)}; error.details.differences lists them`,
        { details: { differences, pending } },
      );
    }
  }

  /** Applies pending migrations now and returns the ids applied, in order (empty when up to date). */
  migrate(): Promise<string[]> {
    return runMigrations(this.ctx.store, kitiumMigrations, this.migrationContext());
  }

  /** What migrations run with, for operator tooling (CLI dry runs and schema output). */
  migrationContext(): MigrationContext {
    return {
      dialect: this.ctx.store.dialect,
      codec: this.ctx.store.codec,
      logger: this.ctx.logger,
      digestToken: (token) => this.ctx.digest.digest(token),
      ...(this.upstreamTimeZone ? { upstreamTimeZone: this.upstreamTimeZone } : {}),
    };
  }

  /**
   * Removes expired sessions, email verification tokens (with their attempt counts), two-factor and SSO
   * sessions; returns how many rows went from each table. The cost is linear in what is removed. On
   * PostgreSQL sessions leave a whole UTC day of expiry at a time, once that day has ended (dropping its
   * partition: the table shrinks and nothing is left to vacuum); elsewhere in batches of `batchSize` rows
   * (default 1000), each its own short transaction. Safe to run from several processes at once.
   */
  async sweepExpired(options: { batchSize?: number } = {}): Promise<SweepCounts> {
    const { batchSize } = options;
    if (batchSize !== undefined && (!Number.isSafeInteger(batchSize) || batchSize <= 0)) {
      throw new ValidationError('batchSize must be a positive integer');
    }
    return sweepExpired(this.ctx.store, {
      now: this.ctx.clock.now(),
      ...(batchSize !== undefined ? { batchSize } : {}),
    });
  }

  async disconnect(): Promise<void> {
    try {
      await this.ctx.store.close();
    } finally {
      await this.cache?.close();
    }
  }

  async healthCheck(): Promise<HealthStatus> {
    const started = performance.now();
    try {
      await this.ctx.store.ping();
      return { status: 'ok', latencyMs: performance.now() - started };
    } catch {
      return { status: 'error', latencyMs: performance.now() - started };
    }
  }

  /** Fields beyond the record's are the caller's own (see ExtraInput): kept, returned and typed. */
  createApiKey<Extra extends object = NoExtra>(
    data: ExtraInput<Omit<ApiKeyRecord, 'id' | 'createdAt' | 'updatedAt'> & { updatedAt?: Date }, Extra>,
  ): Promise<WithExtra<ApiKeyRecord, Extra>> {
    return this.apiKeys.create(data) as Promise<WithExtra<ApiKeyRecord, Extra>>;
  }
  getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.apiKeys.get(id);
  }
  getApiKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    return this.apiKeys.getByHash(hash);
  }
  getApiKeysByPrefixAndLastFour(prefix: string, lastFour: string): Promise<ApiKeyRecord[]> {
    return this.apiKeys.getByPrefixAndLastFour(prefix, lastFour);
  }
  updateApiKey<Extra extends object = NoExtra>(
    id: string,
    data: ExtraInput<Partial<ApiKeyRecord>, Extra>,
  ): Promise<WithExtra<ApiKeyRecord, Extra>> {
    return this.apiKeys.update(id, data) as Promise<WithExtra<ApiKeyRecord, Extra>>;
  }
  deleteApiKey(id: string): Promise<void> {
    return this.apiKeys.delete(id);
  }
  listApiKeys(principalId: string): Promise<ApiKeyRecord[]> {
    return this.apiKeys.list(principalId);
  }
  /** Issues `<prefix>_<64 hex>`; only its digest is stored, the key is returned this once. */
  createApiKeyWithSecret(principalId: string, scopes: string[] = [], prefix = 'api'): Promise<IssuedApiKey> {
    return this.apiKeys.createWithSecret(principalId, scopes, prefix);
  }
  /** The key's record when the plaintext key is valid and unexpired, else null. */
  verifyApiKeySecret(key: string): Promise<ApiKeyRecord | null> {
    return this.apiKeys.verify(key);
  }
  rotateApiKey(id: string): Promise<IssuedApiKey> {
    return this.apiKeys.rotate(id);
  }

  createSession<Extra extends object = NoExtra>(
    data: ExtraInput<Omit<SessionRecord, 'id' | 'createdAt' | 'updatedAt'> & { updatedAt?: Date }, Extra>,
  ): Promise<WithExtra<SessionRecord, Extra>> {
    return this.sessions.create(data) as Promise<WithExtra<SessionRecord, Extra>>;
  }
  getSession(id: string): Promise<SessionRecord | null> {
    return this.sessions.get(id);
  }
  updateSession<Extra extends object = NoExtra>(
    id: string,
    data: ExtraInput<Partial<SessionRecord>, Extra>,
  ): Promise<WithExtra<SessionRecord, Extra>> {
    return this.sessions.update(id, data) as Promise<WithExtra<SessionRecord, Extra>>;
  }
  deleteSession(id: string): Promise<void> {
    return this.sessions.delete(id);
  }

  createOrganization<Extra extends object = NoExtra>(
    data: ExtraInput<Omit<OrganizationRecord, 'id' | 'createdAt' | 'updatedAt'>, Extra>,
  ): Promise<WithExtra<OrganizationRecord, Extra>> {
    return this.organizations.create(data) as Promise<WithExtra<OrganizationRecord, Extra>>;
  }
  getOrganization(id: string): Promise<OrganizationRecord | null> {
    return this.organizations.get(id);
  }
  updateOrganization<Extra extends object = NoExtra>(
    id: string,
    data: ExtraInput<Partial<OrganizationRecord>, Extra>,
  ): Promise<WithExtra<OrganizationRecord, Extra>> {
    return this.organizations.update(id, data) as Promise<WithExtra<OrganizationRecord, Extra>>;
  }
  deleteOrganization(id: string): Promise<void> {
    return this.organizations.delete(id);
  }

  createUser<Extra extends object = NoExtra>(
    data: ExtraInput<CreateUserInput, Extra>,
  ): Promise<WithExtra<UserRecord, Extra>> {
    return this.users.create(data) as Promise<WithExtra<UserRecord, Extra>>;
  }
  getUser(id: string): Promise<UserRecord | null> {
    return this.users.get(id);
  }
  getUserByEmail(email: string): Promise<UserRecord | null> {
    return this.users.getByEmail(email);
  }
  getUserByOAuth(provider: string, sub: string): Promise<UserRecord | null> {
    return this.users.getByOAuth(provider, sub);
  }
  updateUser<Extra extends object = NoExtra>(
    id: string,
    data: ExtraInput<UpdateUserInput, Extra>,
  ): Promise<WithExtra<UserRecord, Extra>> {
    return this.users.update(id, data) as Promise<WithExtra<UserRecord, Extra>>;
  }
  deleteUser(id: string): Promise<void> {
    return this.users.delete(id);
  }
  linkOAuthAccount(userId: string, provider: string, oauthData: OAuthLink): Promise<UserRecord> {
    return this.users.linkOAuth(userId, provider, oauthData);
  }

  createEmailVerificationToken<Extra extends object = NoExtra>(
    data: ExtraInput<Omit<EmailVerificationToken, 'id' | 'createdAt'> & { createdAt?: Date }, Extra>,
  ): Promise<WithExtra<EmailVerificationToken, Extra>> {
    return this.emailTokens.create(data) as Promise<WithExtra<EmailVerificationToken, Extra>>;
  }
  getEmailVerificationTokens(email: string, type?: string): Promise<EmailVerificationToken[]> {
    return this.emailTokens.list(email, type);
  }
  getEmailVerificationTokenById(id: string): Promise<EmailVerificationToken | null> {
    return this.emailTokens.get(id);
  }
  markEmailVerificationTokenAsUsed(id: string): Promise<EmailVerificationToken> {
    return this.emailTokens.markUsed(id);
  }
  deleteExpiredEmailVerificationTokens(): Promise<number> {
    return this.emailTokens.deleteExpired();
  }
  getEmailVerificationTokenAttempts(tokenId: string): Promise<number> {
    return this.emailTokens.getAttempts(tokenId);
  }
  incrementEmailVerificationTokenAttempts(tokenId: string): Promise<number> {
    return this.emailTokens.incrementAttempts(tokenId);
  }

  emitEvent<Extra extends object = NoExtra>(
    event: ExtraInput<Omit<AuthEvent, 'timestamp'> & { timestamp?: Date }, Extra>,
  ): Promise<void> {
    return this.events.emit(event);
  }
}
