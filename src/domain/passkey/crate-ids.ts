import { ValidationError } from '../errors.js';

/**
 * The crate's `UserId::new` and `SessionId::new` (oauth2_passkey/src/session/types.rs, the newest readable
 * copy: the 0.2-era source, docs.rs oauth2-passkey 0.2.0 and repository commit 01a5f9d; the 0.6.x page
 * shows no text). The Rust side runs them on every session it loads (`is_authenticated`,
 * `get_user_from_session`) and on every user id it creates a session for; an id that fails them is an
 * error there, so we refuse to write one.
 */
export const CRATE_USER_ID_RULE =
  'oauth2-passkey UserId::new (src/session/types.rs): 1-255 bytes of A-Z a-z 0-9 - _ . @ +, ' +
  'without "..", "--" or "__"';
export const CRATE_SESSION_ID_RULE =
  'oauth2-passkey SessionId::new (src/session/types.rs): 10-256 bytes of A-Z a-z 0-9 - _ . ~';

const USER_ID_CHARS = /^[A-Za-z0-9\-_.@+]+$/;
const SESSION_ID_CHARS = /^[A-Za-z0-9\-_.~]+$/;

function refuse(field: string, value: string, rule: string, problem: string): never {
  // Ids are not secrets, but a caller's value can be long: the message names the rule, not the id.
  throw new ValidationError(`${field} ${problem}; the Rust app cannot load it (${rule})`, {
    details: { field, rule, length: value.length },
  });
}

/** Why the crate's UserId::new refuses `id`, or null when it accepts it. */
export function crateUserIdProblem(id: string): string | null {
  if (id === '') return 'is empty';
  // Rust's str::len() is bytes; the allowed characters are ASCII, so bytes = characters when it passes.
  if (Buffer.byteLength(id) > 255) return 'is longer than 255 bytes';
  if (!USER_ID_CHARS.test(id)) return 'contains a character outside A-Z a-z 0-9 - _ . @ +';
  if (id.includes('..') || id.includes('--') || id.includes('__')) return 'contains "..", "--" or "__"';
  return null;
}

/** Why the crate's SessionId::new refuses `id`, or null when it accepts it. */
export function crateSessionIdProblem(id: string): string | null {
  if (id.length < 10) return 'is shorter than 10 characters';
  if (Buffer.byteLength(id) > 256) return 'is longer than 256 bytes';
  if (!SESSION_ID_CHARS.test(id)) return 'contains a character outside A-Z a-z 0-9 - _ . ~';
  return null;
}

/** Throws a `validation` error naming the crate's rule when UserId::new would refuse `id`. */
export function checkCrateUserId(id: string, field = 'userId'): string {
  const problem = crateUserIdProblem(id);
  if (problem !== null) refuse(field, id, CRATE_USER_ID_RULE, problem);
  return id;
}

/** Throws a `validation` error naming the crate's rule when SessionId::new would refuse `id`. */
export function checkCrateSessionId(id: string, field = 'sessionId'): string {
  const problem = crateSessionIdProblem(id);
  if (problem !== null) refuse(field, id, CRATE_SESSION_ID_RULE, problem);
  return id;
}
