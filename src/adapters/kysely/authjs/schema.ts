import type { ColumnType } from 'kysely';

/** A timestamp as the driver takes it: a Date for PostgreSQL, ISO-8601 text for SQLite. */
type Timestamp = ColumnType<Date | string, Date | string, Date | string>;
/** An id: SERIAL (a number) on the @auth/pg-adapter layout, uuid / text on the Kysely layout. */
type Id = ColumnType<number | string, number | string | undefined, number | string>;
type Ref = ColumnType<number | string, number | string, number | string>;
/** BIGINT comes back from pg as text, INTEGER from SQLite as a number. */
type BigInt = ColumnType<number | string | null, number | null, number | null>;
/** A boolean as the driver takes it: boolean for PostgreSQL, 0/1 for SQLite. */
type Bool = ColumnType<boolean | number, boolean | number, boolean | number>;

/** Auth.js's tables under logical names; TableNamesPlugin swaps in the layout's real names. */
export interface AuthjsDatabase {
  users: {
    id: Id;
    name: string | null;
    email: string | null;
    emailVerified: Timestamp | null;
    image: string | null;
  };
  accounts: {
    id: Id;
    userId: Ref;
    type: string;
    provider: string;
    providerAccountId: string;
    refresh_token: string | null;
    access_token: string | null;
    expires_at: BigInt;
    id_token: string | null;
    scope: string | null;
    session_state: string | null;
    token_type: string | null;
  };
  sessions: {
    id: Id;
    userId: Ref;
    expires: Timestamp;
    sessionToken: string;
  };
  verification_token: {
    identifier: string;
    expires: Timestamp;
    token: string;
  };
  authenticators: {
    credentialID: string;
    userId: Ref;
    providerAccountId: string;
    credentialPublicKey: string;
    counter: number;
    credentialDeviceType: string;
    credentialBackedUp: Bool;
    transports: string | null;
  };
}

export type AuthjsTable = keyof AuthjsDatabase;
