/** Where the email code lives; its digest is bound to this table, column and the token's id. */
export const EMAIL_CODE_COLUMN = {
  table: 'email_verification_tokens',
  idColumn: 'id',
  column: 'code',
} as const;

/** Columns holding keyed digests of bearer codes (sealed in place by `sealPlaintextCodes`). */
export const DIGESTED_COLUMNS = [EMAIL_CODE_COLUMN] as const;
