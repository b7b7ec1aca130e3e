/** The symbol util.inspect looks up (Symbol.for, so the domain needs no Node import). */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)([^@]*)@/i;

/** A URL as it may be shown: the password in its user info replaced by `***` (host, port, path kept). */
export function maskUrlPassword(url: string): string {
  return url.replace(USERINFO_PASSWORD, (_all, head: string) => `${head}***@`);
}
