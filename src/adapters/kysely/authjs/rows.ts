import type { Selectable } from 'kysely';
import type {
  AuthjsAccount,
  AuthjsAuthenticator,
  AuthjsSession,
  AuthjsUser,
  AuthjsVerificationToken,
} from '../../../ports/authjs-store.js';
import type { Codec } from '../codec.js';
import type { AuthjsDatabase } from './schema.js';

type Row<T extends keyof AuthjsDatabase> = Selectable<AuthjsDatabase[T]>;

/** Rows as either driver returns them → the port's records (ids as text, Dates, numbers). */
export class AuthjsRows {
  constructor(private readonly codec: Codec) {}

  user(row: Pick<Row<'users'>, 'id' | 'name' | 'email' | 'emailVerified' | 'image'>): AuthjsUser {
    return {
      id: String(row.id),
      name: row.name ?? null,
      email: row.email ?? null,
      emailVerified: row.emailVerified == null ? null : this.codec.readTimestamp(row.emailVerified),
      image: row.image ?? null,
    };
  }

  account(row: Row<'accounts'>): AuthjsAccount {
    return {
      userId: String(row.userId),
      type: row.type,
      provider: row.provider,
      providerAccountId: row.providerAccountId,
      refresh_token: row.refresh_token ?? null,
      access_token: row.access_token ?? null,
      // BIGINT: pg returns text (@auth/pg-adapter parses it too, in mapExpiresAt).
      expires_at: row.expires_at == null ? null : Number(row.expires_at),
      token_type: row.token_type ?? null,
      scope: row.scope ?? null,
      id_token: row.id_token ?? null,
      session_state: row.session_state ?? null,
    };
  }

  session(row: Pick<Row<'sessions'>, 'sessionToken' | 'userId' | 'expires'>): AuthjsSession {
    return {
      key: row.sessionToken,
      userId: String(row.userId),
      expires: this.codec.readTimestamp(row.expires),
    };
  }

  verificationToken(row: Row<'verification_token'>): AuthjsVerificationToken {
    return {
      identifier: row.identifier,
      token: row.token,
      expires: this.codec.readTimestamp(row.expires),
    };
  }

  authenticator(row: Row<'authenticators'>): AuthjsAuthenticator {
    return {
      credentialID: row.credentialID,
      userId: String(row.userId),
      providerAccountId: row.providerAccountId,
      credentialPublicKey: row.credentialPublicKey,
      counter: Number(row.counter),
      credentialDeviceType: row.credentialDeviceType,
      credentialBackedUp: this.codec.readBool(row.credentialBackedUp),
      transports: row.transports ?? null,
    };
  }
}
