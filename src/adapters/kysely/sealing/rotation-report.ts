/** What a rotation of sealed columns did, column by column. */
export interface ColumnRotation {
  table: string;
  column: string;
  /** Non-null values when the column was started (0 when the table does not exist). */
  total: number;
  scanned: number;
  /** Already sealed with the active key: left alone. */
  current: number;
  /** Re-encrypted with the active key (in a dry run: would be). */
  rotated: number;
  /** Changed by someone else between read and write: left as the other writer left it. */
  conflicts: number;
  /** Could not be decrypted with the keyring (wrong key, tampered, not an envelope): left unchanged. */
  failed: number;
  /** Values in clear left as they are (only for a spec with `clearValues: 'skip'`). */
  clear?: number;
  /** The table or column does not exist in this database (not migrated, or a store not in use). */
  missing: boolean;
}

export interface RotationFailure {
  table: string;
  column: string;
  rowId: string;
}

export interface RotationReport {
  activeKeyId: string;
  dryRun: boolean;
  /** Stopped early by the abort signal; run again to finish. */
  aborted: boolean;
  columns: ColumnRotation[];
  /** The first failing rows (ids only), at most `MAX_REPORTED_FAILURES`. */
  failures: RotationFailure[];
}
