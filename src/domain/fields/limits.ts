/** Size limits applied to every input before it reaches a database. */
export const LIMITS = {
  id: 255,
  shortText: 255,
  text: 4096,
  email: 320,
  url: 2048,
  secret: 16384,
  arrayItems: 1000,
  jsonBytes: 65536,
  jsonDepth: 32,
  /** Keys and items in one JSON value, all levels together; above what jsonBytes could ever hold. */
  jsonEntries: 16384,
} as const;
