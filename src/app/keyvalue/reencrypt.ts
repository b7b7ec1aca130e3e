import type { KyselyKeyValueRepo, StoredPair } from '../../adapters/kysely/keyvalue/index.js';
import { IntegrityError } from '../../domain/errors.js';
import type { Logger } from '../../ports/system.js';
import type { ValueCodec } from './value-codec.js';

export interface ReencryptOptions {
  /** Rows read, and rewritten in one transaction, per step (default 500). */
  batchSize?: number;
  /** Count what would change without writing. */
  dryRun?: boolean;
  /**
   * Called with each value about to be sealed that is not in the current form (a dbstore row, plaintext,
   * an older key) once decrypted: returning false leaves it unchanged and counts it as failed. dbstore's
   * format does not bind a value to its key, so a row copied onto another key reads back there: check what
   * the value says about itself (e.g. its own id equals `key`) so such a move is not sealed into a binding
   * envelope, which would launder it.
   */
  accept?: (key: string, value: unknown) => boolean;
}

export interface ReencryptReport {
  scanned: number;
  /** Already in the current form (our envelope under the active key). */
  current: number;
  /** Rewritten (in a dry run: would be): legacy dbstore rows, plaintext, older keys. */
  rewritten: number;
  /** Changed by another writer between read and write: left as that writer left it. */
  conflicts: number;
  /** Could not be read (tampered, wrong key, refused plaintext) or refused by `accept`: left unchanged and logged. */
  failed: number;
}

/**
 * Rewrites every value that is not in the current form (dbstore envelopes, plaintext, older keys)
 * through the codec, page by page in key order; safe to stop and run again. Once it reports no
 * failures, the `allowPlaintext` migration window can end and dbstore's key be dropped.
 */
export async function reencryptValues(
  repo: KyselyKeyValueRepo,
  codec: ValueCodec,
  logger: Logger,
  table: string,
  options: ReencryptOptions = {},
): Promise<ReencryptReport> {
  const { batchSize = 500, dryRun = false, accept } = options;
  const report: ReencryptReport = { scanned: 0, current: 0, rewritten: 0, conflicts: 0, failed: 0 };
  for (let after: string | null = null; ;) {
    const page = await repo.page(after, batchSize);
    const rewrites: { key: string; old: string; json: string }[] = [];
    for (const { key, json } of page) {
      report.scanned++;
      if (codec.isCurrent(json)) {
        report.current++;
        continue;
      }
      try {
        const value = codec.read(key, json);
        if (accept && !accept(key, value)) {
          report.failed++;
          logger.error({ table }, 'key-value entry refused by the caller’s check; left unchanged');
          continue;
        }
        rewrites.push({ key, old: json, json: codec.write(key, value) });
      } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
        report.failed++;
        logger.error({ table, errorCode: error.code }, 'key-value entry could not be read; left unchanged');
      }
    }
    const written = dryRun ? rewrites.length : await repo.replaceUnchanged(rewrites);
    report.rewritten += written;
    report.conflicts += rewrites.length - written;
    if (page.length < batchSize) return report;
    after = (page[page.length - 1] as StoredPair).key;
  }
}
