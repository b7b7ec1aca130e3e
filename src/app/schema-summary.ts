/** The one line for a database whose migrations are not all applied. */
export function notMigrated(pending: number): string {
  return `not migrated: ${pending} pending — run "authkeep migrate" (or connect with migrations: 'apply')`;
}

/**
 * One line for a schema that is not authkeep's: unmigrated (the usual case, said as such) or changed
 * by hand (counted); the differences themselves go to `details` or `authkeep verify --verbose`.
 */
export function schemaSummary(differences: number, pending: number): string {
  if (pending > 0) return `${notMigrated(pending)}; ${differences} difference(s) from authkeep's schema`;
  return `the schema differs from authkeep's in ${differences} place(s)`;
}
