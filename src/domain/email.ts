/** The form of an email address used for uniqueness and look-ups: trimmed, lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
