import {
  KyselyApiKeyRepo,
  KyselyEmailTokenRepo,
  KyselyEventLog,
  KyselyOrganizationRepo,
  KyselySessionRepo,
  KyselyUserRepo,
  type SqlStore,
} from '../../adapters/kysely/index.js';
import type {
  ApiKeyRepo,
  EmailTokenRepo,
  EventLog,
  OrganizationRepo,
  SessionRepo,
  UserRepo,
} from '../../ports/repos.js';
import type { Clock, IdGenerator, Logger, TokenDigest } from '../../ports/system.js';

/** What every facade group needs: the repositories and the system ports, wired once per adapter. */
export interface KitiumContext {
  store: SqlStore;
  apiKeys: ApiKeyRepo;
  sessions: SessionRepo;
  organizations: OrganizationRepo;
  users: UserRepo;
  emailTokens: EmailTokenRepo;
  events: EventLog;
  clock: Clock;
  ids: IdGenerator;
  digest: TokenDigest;
  logger: Logger;
}

export function createKitiumContext(
  store: SqlStore,
  system: Pick<KitiumContext, 'clock' | 'ids' | 'digest' | 'logger'>,
): KitiumContext {
  return {
    store,
    apiKeys: new KyselyApiKeyRepo(store),
    sessions: new KyselySessionRepo(store),
    organizations: new KyselyOrganizationRepo(store),
    users: new KyselyUserRepo(store),
    emailTokens: new KyselyEmailTokenRepo(store),
    events: new KyselyEventLog(store),
    ...system,
  };
}
