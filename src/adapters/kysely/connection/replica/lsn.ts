/** A WAL position (PostgreSQL's pg_lsn, text form `X/Y`) as a 64-bit integer, so positions compare exactly. */
export type Lsn = bigint;

export function parseLsn(text: string): Lsn {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  if (!match) throw new Error('not a pg_lsn value');
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Page header sizes of the WAL format since PostgreSQL 9.x: short on every page, long at a segment start. */
const SHORT_PAGE_HEADER = 24n;
const LONG_PAGE_HEADER = 40n;

/**
 * The end of the last WAL record, given the primary's insert position. When no record has begun on the
 * current page, the insert position points just past that page's header, which a standby never
 * "replays"; the records then end at the page start (seen on every idle server after a segment switch).
 */
export function lastRecordEnd(insert: Lsn, walBlockSize: bigint, walSegmentSize: bigint): Lsn {
  if (insert % walSegmentSize === LONG_PAGE_HEADER) return insert - LONG_PAGE_HEADER;
  if (insert % walBlockSize === SHORT_PAGE_HEADER) return insert - SHORT_PAGE_HEADER;
  return insert;
}

const UNITS: Record<string, bigint> = { B: 1n, kB: 1024n, MB: 1024n ** 2n, GB: 1024n ** 3n };

/** Reads a size as `current_setting` shows it (`8192`, `16MB`, `1GB`). */
export function parseSizeSetting(text: string): bigint {
  const match = /^(\d+)\s*(B|kB|MB|GB)?$/.exec(text.trim());
  if (!match) throw new Error('not a size setting');
  return BigInt(match[1]!) * UNITS[match[2] ?? 'B']!;
}
