import type {
  LoginAuthMethod,
  LoginHistoryEntry,
  OAuth2Account,
  PasskeyCredential,
  PasskeyUser,
} from '../../../../domain/passkey/records.js';
import type { PasskeyCodec } from '../passkey-codec.js';

type Row = Record<string, unknown>;

const text = (value: unknown): string => value as string;
const nullableText = (value: unknown): string | null =>
  value === null || value === undefined ? null : (value as string);

export function toUser(row: Row, codec: PasskeyCodec): PasskeyUser {
  return {
    sequenceNumber: codec.readSerial(row.sequence_number),
    id: text(row.id),
    account: text(row.account),
    label: text(row.label),
    isAdmin: codec.readBool(row.is_admin),
    createdAt: codec.readTimestamp(row.created_at),
    updatedAt: codec.readTimestamp(row.updated_at),
  };
}

export function toOAuth2Account(row: Row, codec: PasskeyCodec): OAuth2Account {
  return {
    // The pre-0.6 layout has no sequence_number (table-shape.ts).
    sequenceNumber: row.sequence_number === undefined ? null : codec.readSerial(row.sequence_number),
    id: text(row.id),
    userId: text(row.user_id),
    provider: text(row.provider),
    providerUserId: text(row.provider_user_id),
    name: text(row.name),
    email: text(row.email),
    picture: nullableText(row.picture),
    metadata: codec.readJson(row.metadata),
    createdAt: codec.readTimestamp(row.created_at),
    updatedAt: codec.readTimestamp(row.updated_at),
  };
}

export function toCredential(row: Row, codec: PasskeyCodec): PasskeyCredential {
  return {
    sequenceNumber: codec.readSerial(row.sequence_number),
    credentialId: text(row.credential_id),
    userId: text(row.user_id),
    publicKey: text(row.public_key),
    counter: Number(row.counter),
    userHandle: text(row.user_handle),
    userName: text(row.user_name),
    userDisplayName: text(row.user_display_name),
    aaguid: text(row.aaguid),
    rpId: text(row.rp_id),
    createdAt: codec.readTimestamp(row.created_at),
    updatedAt: codec.readTimestamp(row.updated_at),
    lastUsedAt: codec.readTimestamp(row.last_used_at),
  };
}

export function toLoginEntry(row: Row, codec: PasskeyCodec): LoginHistoryEntry {
  return {
    id: codec.readSerial(row.id),
    userId: text(row.user_id),
    timestamp: codec.readTimestamp(row.timestamp),
    authMethod: text(row.auth_method) as LoginAuthMethod,
    ipAddress: nullableText(row.ip_address),
    userAgent: nullableText(row.user_agent),
    success: codec.readBool(row.success),
    credentialId: nullableText(row.credential_id),
    provider: nullableText(row.provider),
    providerUserId: nullableText(row.provider_user_id),
    failureReason: nullableText(row.failure_reason),
    aaguid: nullableText(row.aaguid),
    email: nullableText(row.email),
  };
}
