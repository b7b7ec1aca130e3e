import {
  CREDENTIAL_COLUMNS,
  LoginHistoryRepo,
  OAUTH2_COLUMNS,
  OAuth2AccountRepo,
  PasskeyCredentialRepo,
  PasskeyUserRepo,
  initPasskeyTables,
  type PasskeySql,
} from '../../adapters/kysely/passkey/index.js';
import type {
  CounterUpdate,
  CredentialSearchField,
  LoginHistoryEntry,
  LoginHistoryInput,
  LoginHistoryQuery,
  LoginHistoryRange,
  OAuth2Account,
  OAuth2AccountInput,
  OAuth2AccountSearchField,
  PasskeyCredential,
  PasskeyCredentialInput,
  PasskeyUser,
  PasskeyUserInput,
} from '../../domain/passkey/records.js';
import {
  CREDENTIAL_SEARCH_FIELDS,
  DEMO_PLACEHOLDER_USER,
  OAUTH2_SEARCH_FIELDS,
  searchField,
  validateCounter,
  validateCredentialInput,
  validateLoginInput,
  validateLoginQuery,
  validateOAuth2AccountInput,
  validateUserInput,
} from '../../domain/passkey/rules.js';
import { checkCrateUserId } from '../../domain/passkey/crate-ids.js';
import { date, id as idRule, integer, string } from '../../domain/fields/validation.js';
import type { Logger } from '../../ports/system.js';

export interface PasskeyDataStoreOptions {
  logger: Logger;
  /** O2P_LOGIN_HISTORY_RETENTION_DAYS (0 = keep everything). */
  loginHistoryRetentionDays?: number;
  /** O2P_DEMO_MODE. */
  demoMode?: boolean;
}

const DAY_MS = 86_400_000;
const anyId = idRule();
const credentialId = string({ max: 2048 });
const text = string({ max: 4096, allowEmpty: true });

/**
 * The crate's data store (UserStore, OAuth2Store, PasskeyStore, LoginHistoryStore) in camelCase, on the
 * crate's own tables. Every call makes sure init() has run once, so an in-memory database is never used bare.
 */
export class PasskeyDataStore {
  private readonly users: PasskeyUserRepo;
  private readonly accounts: OAuth2AccountRepo;
  private readonly credentials: PasskeyCredentialRepo;
  private readonly logins: LoginHistoryRepo;
  private readonly retentionDays: number;
  private initialised: Promise<void> | undefined;
  private cleanupTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sql: PasskeySql,
    private readonly options: PasskeyDataStoreOptions,
  ) {
    this.users = new PasskeyUserRepo(sql);
    this.accounts = new OAuth2AccountRepo(sql);
    this.credentials = new PasskeyCredentialRepo(sql);
    this.logins = new LoginHistoryRepo(sql);
    this.retentionDays = integer({ min: 0, max: 4_294_967_295 })(
      options.loginHistoryRetentionDays ?? 0,
      'loginHistoryRetentionDays',
    );
  }

  /** Creates the missing tables and checks the shape of existing ones (a wrong shape is an IntegrityError). */
  init(): Promise<void> {
    this.initialised ??= initPasskeyTables(this.sql, this.options.logger, {
      demoMode: this.options.demoMode ?? false,
    }).catch((error: unknown) => {
      this.initialised = undefined;
      throw error;
    });
    return this.initialised;
  }

  // ---- users -------------------------------------------------------------------------------------------

  async getAllUsers(): Promise<PasskeyUser[]> {
    await this.init();
    return this.users.getAllUsers();
  }

  async getUser(id: string): Promise<PasskeyUser | null> {
    await this.init();
    return this.users.getUser(anyId(id, 'id'));
  }

  async getUserBySequenceNumber(sequenceNumber: number): Promise<PasskeyUser | null> {
    await this.init();
    return this.users.getUserBySequenceNumber(
      integer({ min: 1, max: Number.MAX_SAFE_INTEGER })(sequenceNumber, 'sequenceNumber'),
    );
  }

  /** Insert or update by id; the user with sequence number 1 always comes back an admin. */
  async upsertUser(user: PasskeyUserInput): Promise<PasskeyUser> {
    const valid = validateUserInput(user);
    // The crate writes its demo placeholder itself and never loads it through UserId::new.
    if (valid.id !== undefined && valid.id !== DEMO_PLACEHOLDER_USER.id)
      checkCrateUserId(valid.id, 'user.id');
    await this.init();
    return this.users.upsertUser(valid);
  }

  /** Deletes the user and, by cascade, their OAuth2 accounts and passkeys (login history stays). */
  async deleteUser(id: string): Promise<boolean> {
    await this.init();
    return this.users.deleteUser(anyId(id, 'id'));
  }

  async deleteUserIfNotLastAdmin(id: string): Promise<boolean> {
    await this.init();
    return this.users.deleteUserIfNotLastAdmin(anyId(id, 'id'));
  }

  async demoteUserIfNotLastAdmin(id: string): Promise<boolean> {
    await this.init();
    return this.users.demoteUserIfNotLastAdmin(anyId(id, 'id'));
  }

  // ---- OAuth2 accounts ---------------------------------------------------------------------------------

  async getOAuth2AccountsBy(field: OAuth2AccountSearchField): Promise<OAuth2Account[]> {
    const [key, value] = searchField(field, OAUTH2_SEARCH_FIELDS, 'field');
    await this.init();
    return this.accounts.getAccountsBy(OAUTH2_COLUMNS[key as keyof typeof OAUTH2_COLUMNS], value);
  }

  async getOAuth2Account(provider: string, providerUserId: string): Promise<OAuth2Account | null> {
    await this.init();
    return this.accounts.getAccountByProvider(
      anyId(provider, 'provider'),
      anyId(providerUserId, 'providerUserId'),
    );
  }

  async upsertOAuth2Account(account: OAuth2AccountInput): Promise<OAuth2Account> {
    const valid = validateOAuth2AccountInput(account);
    checkCrateUserId(valid.userId, 'account.userId');
    await this.init();
    return this.accounts.upsertAccount(valid);
  }

  async deleteOAuth2AccountsBy(field: OAuth2AccountSearchField): Promise<number> {
    const [key, value] = searchField(field, OAUTH2_SEARCH_FIELDS, 'field');
    await this.init();
    return this.accounts.deleteAccountsBy(OAUTH2_COLUMNS[key as keyof typeof OAUTH2_COLUMNS], value);
  }

  // ---- passkey credentials -----------------------------------------------------------------------------

  async getCredential(id: string): Promise<PasskeyCredential | null> {
    await this.init();
    return this.credentials.getCredential(credentialId(id, 'credentialId'));
  }

  async getCredentialsBy(field: CredentialSearchField): Promise<PasskeyCredential[]> {
    const [key, value] = searchField(field, CREDENTIAL_SEARCH_FIELDS, 'field');
    await this.init();
    return this.credentials.getCredentialsBy(
      CREDENTIAL_COLUMNS[key as keyof typeof CREDENTIAL_COLUMNS],
      value,
    );
  }

  listCredentialsByUser(userId: string): Promise<PasskeyCredential[]> {
    return this.getCredentialsBy({ userId });
  }

  /** Insert or update by credential id; created_at is kept and the stored counter is never lowered. */
  async storeCredential(credential: PasskeyCredentialInput): Promise<PasskeyCredential> {
    const valid = validateCredentialInput(credential, this.sql.now());
    checkCrateUserId(valid.userId, 'credential.userId');
    await this.init();
    return this.credentials.storeCredential(valid);
  }

  /** An assertion's counter: written only when above the stored one, else a clone signal is returned. */
  async updateCounter(id: string, counter: number): Promise<CounterUpdate> {
    const valid = validateCounter(counter);
    await this.init();
    return this.credentials.updateCounter(credentialId(id, 'credentialId'), valid);
  }

  async updateCredentialUserDetails(id: string, userName: string, userDisplayName: string): Promise<boolean> {
    await this.init();
    return this.credentials.updateUserDetails(
      credentialId(id, 'credentialId'),
      text(userName, 'userName'),
      text(userDisplayName, 'userDisplayName'),
    );
  }

  async updateCredentialLastUsedAt(id: string, at: Date = this.sql.now()): Promise<boolean> {
    await this.init();
    return this.credentials.updateLastUsedAt(credentialId(id, 'credentialId'), date()(at, 'at'));
  }

  async deleteCredentialsBy(field: CredentialSearchField): Promise<number> {
    const [key, value] = searchField(field, CREDENTIAL_SEARCH_FIELDS, 'field');
    await this.init();
    return this.credentials.deleteCredentialsBy(
      CREDENTIAL_COLUMNS[key as keyof typeof CREDENTIAL_COLUMNS],
      value,
    );
  }

  // ---- login history -----------------------------------------------------------------------------------

  /** Records one attempt (successful or not); the user agent is cut to 512 bytes on a character boundary. */
  async recordLogin(entry: LoginHistoryInput): Promise<LoginHistoryEntry> {
    const valid = validateLoginInput(entry, this.sql.now());
    await this.init();
    return this.logins.recordLogin(valid);
  }

  /** One user's history, newest first, optionally within [from, to]. */
  async listLogins(userId: string, range: LoginHistoryRange = {}): Promise<LoginHistoryEntry[]> {
    const query = validateLoginQuery(range);
    await this.init();
    return this.logins.query({ ...query, userId: anyId(userId, 'userId') });
  }

  /** The admin view: every user's history, optionally filtered by user, range and outcome. */
  async queryLoginHistory(query: LoginHistoryQuery = {}): Promise<LoginHistoryEntry[]> {
    const valid = validateLoginQuery(query);
    await this.init();
    return this.logins.query(valid);
  }

  async deleteLoginHistoryOlderThan(cutoff: Date): Promise<number> {
    const valid = date()(cutoff, 'cutoff');
    await this.init();
    return this.logins.deleteOlderThan(valid);
  }

  /** The crate's cleanup_old_login_history(): deletes entries older than the retention; 0 when disabled. */
  async cleanupOldLoginHistory(): Promise<number> {
    if (this.retentionDays === 0) return 0;
    return this.deleteLoginHistoryOlderThan(new Date(this.sql.now().getTime() - this.retentionDays * DAY_MS));
  }

  /**
   * The crate's spawn_login_history_cleanup(): runs the cleanup now and then every `intervalMs` (24 h)
   * until close(). Does nothing when retention is disabled. Failures are logged, never thrown.
   */
  startLoginHistoryCleanup(intervalMs = DAY_MS): void {
    if (this.retentionDays === 0 || this.cleanupTimer) return;
    const tick = () => {
      this.cleanupOldLoginHistory().catch((error: unknown) =>
        this.options.logger.warn({ err: (error as Error).message }, 'login history cleanup failed'),
      );
    };
    tick();
    this.cleanupTimer = setInterval(tick, intervalMs);
    this.cleanupTimer.unref();
  }

  async close(): Promise<void> {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
    await this.sql.store.close();
  }
}
