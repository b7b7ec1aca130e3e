import type { Migration } from '../src/adapters/kysely/schema/migrator.js';
import { adoptUpstream } from './0000_adopt_upstream.js';
import { initialSchemaV2 } from './0001_initial_schema_v2.js';
import { authkeepFoundation } from './0002_authkeep_foundation.js';
import { sessionTokenDigests } from './0003_session_token_digests.js';
import { twoFactorSsoSecrets } from './0004_two_factor_sso_secrets.js';
import { emailIdentityKeys } from './0005_email_identity.js';
import { callerFields } from './0006_caller_fields.js';
import { recordExtraFields } from './0007_record_extra_fields.js';
import { sessionExpiryPartitions } from './0008_session_expiry_partitions.js';
import { sessionDigestBytes } from './0009_session_digest_bytes.js';

/** Every kitium-store migration, in the order it runs. Ids are permanent: never rename one. */
export const kitiumMigrations: readonly Migration[] = [
  adoptUpstream,
  initialSchemaV2,
  authkeepFoundation,
  sessionTokenDigests,
  twoFactorSsoSecrets,
  emailIdentityKeys,
  callerFields,
  recordExtraFields,
  sessionExpiryPartitions,
  sessionDigestBytes,
];

export { UPSTREAM_TABLES } from './0001_initial_schema_v2.js';
