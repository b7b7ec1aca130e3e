import type { KyselyKeyValueRepo, StoredPair } from '../../adapters/kysely/keyvalue/index.js';
import type { SqlStore } from '../../adapters/kysely/index.js';
import { ForbiddenError, isAuthkeepError, UnavailableError, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../ports/system.js';
import { reencryptValues, type ReencryptOptions, type ReencryptReport } from './reencrypt.js';
import type { ValueCodec } from './value-codec.js';

/** A key as dbstore took it: anything, through `String(key)`. */
export type KeyValueKey = string | number;

/** Pairs for bulkPut: an object (as dbstore), a Map or any iterable of [key, value]. */
export type KeyValuePairs = Record<string, unknown> | Iterable<readonly [KeyValueKey, unknown]>;

export interface KeyValueEntry {
  key: string;
  value: unknown;
}

/**
 * What `for await (… of store)` yields: a `[key, value]` pair that also has `key` and `value` properties,
 * so `const [key, value]` and dbstore's `const { key, value }` both destructure it.
 */
export type KeyValueItem = readonly [key: string, value: unknown] & KeyValueEntry;

/** A pair with non-enumerable `key`/`value` too: it still prints, compares and serialises as `[key, value]`. */
function keyValueItem(key: string, value: unknown): KeyValueItem {
  const item = [key, value] as const;
  Object.defineProperties(item, { key: { value: key }, value: { value } });
  return item as unknown as KeyValueItem;
}

export interface KeyValueStoreParts {
  store: SqlStore;
  /** Whether close() closes the connection (false for a store shared with others). */
  ownsStore: boolean;
  repo: KyselyKeyValueRepo;
  table: string;
  codec: ValueCodec;
  /** Creates the table when missing; called once, before the first operation. */
  prepare: () => Promise<void>;
  logger: Logger;
  ignoreError: boolean;
  allowClear: boolean;
  pageSize: number;
}

const MAX_KEY_CHARS = 255;

/** dbstore turned every key into `String(key)`; the column is VARCHAR(255), so longer keys are refused. */
function normalizeKey(key: KeyValueKey): string {
  const text = String(key);
  if (text.length === 0) throw new ValidationError('a key must not be empty');
  if (text.includes('\u0000') || !text.isWellFormed()) {
    throw new ValidationError('a key must be well-formed text without NUL characters');
  }
  // VARCHAR(255) counts characters (code points), not UTF-16 units.
  if (text.length > MAX_KEY_CHARS && [...text].length > MAX_KEY_CHARS) {
    throw new ValidationError(`a key must be at most ${MAX_KEY_CHARS} characters`);
  }
  return text;
}

function pairsOf(pairs: KeyValuePairs): Iterable<readonly [KeyValueKey, unknown]> {
  if (pairs === null || typeof pairs !== 'object')
    throw new ValidationError('bulkPut takes an object or pairs');
  if (Symbol.iterator in pairs) return pairs as Iterable<readonly [KeyValueKey, unknown]>;
  return Object.entries(pairs);
}

/** Sets an own property even for keys like `__proto__`, as Object.fromEntries does. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * dbstore-manager's key-value API over one SQL table, with optional encryption.
 *
 * `ignoreError` (off by default) turns a failure into a neutral result, logged at error level:
 * get → null, containsKey → false, size → 0, keys/values/entries → [] on a database failure,
 * toObject/load/toJSON → {}, put/bulkPut/remove/clear → nothing written (bulkPut is all or nothing).
 * A row that fails to decrypt (tampered, wrong key, refused plaintext) is left out of listings and
 * iterations and logged at error level with code `integrity`: never silently reported as absent.
 * Refusing clear() without `allowClear` always throws.
 */
export class KeyValueStore implements AsyncIterable<KeyValueItem> {
  readonly table: string;
  private readonly parts: KeyValueStoreParts;
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(parts: KeyValueStoreParts) {
    this.parts = parts;
    this.table = parts.table;
  }

  /** Whether values are encrypted at rest. */
  get encrypted(): boolean {
    return this.parts.codec.encrypted;
  }

  /** Creates the table when missing. Called by every operation; call it to fail early. */
  async start(): Promise<void> {
    if (this.closed) throw new UnavailableError('the key-value store is closed', { retryable: false });
    this.started ??= this.parts.prepare().catch((error: unknown) => {
      this.started = undefined;
      throw error;
    });
    return this.started;
  }

  async get(key: KeyValueKey): Promise<unknown> {
    return this.guard('get', null, async () => {
      const id = normalizeKey(key);
      const json = await this.parts.repo.get(id);
      return json === undefined ? null : this.parts.codec.read(id, json);
    });
  }

  async put(key: KeyValueKey, value: unknown): Promise<void> {
    await this.guard('put', undefined, async () => {
      const id = normalizeKey(key);
      const json = this.parts.codec.write(id, value);
      await this.parts.repo.upsert([{ key: id, json }], this.now());
    });
  }

  /** Writes every pair atomically (one INSERT per batch of 1000, one transaction); a repeated key: last wins. */
  async bulkPut(pairs: KeyValuePairs): Promise<void> {
    await this.guard('bulkPut', undefined, async () => {
      const unique = new Map<string, unknown>();
      for (const [key, value] of pairsOf(pairs)) unique.set(normalizeKey(key), value);
      // Key order fixes the order rows are locked in, so concurrent bulkPuts cannot deadlock each other.
      const rows: StoredPair[] = [...unique.keys()]
        .sort()
        .map((key) => ({ key, json: this.parts.codec.write(key, unique.get(key)) }));
      await this.parts.repo.upsert(rows, this.now());
    });
  }

  async remove(key: KeyValueKey): Promise<void> {
    await this.guard('remove', undefined, () => this.parts.repo.remove(normalizeKey(key)));
  }

  async containsKey(key: KeyValueKey): Promise<boolean> {
    return this.guard('containsKey', false, () => this.parts.repo.contains(normalizeKey(key)));
  }

  async size(): Promise<number> {
    return this.guard('size', 0, () => this.parts.repo.count());
  }

  async keys(): Promise<string[]> {
    return this.guard('keys', [], async () => {
      const out: string[] = [];
      for await (const key of this.keyPages()) out.push(key);
      return out;
    });
  }

  async values(): Promise<unknown[]> {
    return this.guard('values', [], async () => {
      const out: unknown[] = [];
      for await (const [, value] of this.decodedPages('values')) out.push(value);
      return out;
    });
  }

  /** Every entry as dbstore returned them, `{ key, value }`, in key order. */
  async entries(): Promise<KeyValueEntry[]> {
    return this.guard('entries', [], async () => {
      const out: KeyValueEntry[] = [];
      for await (const [key, value] of this.decodedPages('entries')) out.push({ key, value });
      return out;
    });
  }

  async toObject(): Promise<Record<string, unknown>> {
    return this.guard('toObject', {}, async () => {
      const out: Record<string, unknown> = {};
      for await (const [key, value] of this.decodedPages('toObject')) setOwn(out, key, value);
      return out;
    });
  }

  async toJSON(): Promise<Record<string, unknown>> {
    return this.toObject();
  }

  /** Every entry as an object, passed through `preProc` (override it to post-process, as in dbstore). */
  async load(): Promise<Record<string, unknown>> {
    return this.preProc(await this.toObject());
  }

  async preProc(data: Record<string, unknown>): Promise<Record<string, unknown>> {
    return data;
  }

  async clear(): Promise<void> {
    if (!this.parts.allowClear) {
      throw new ForbiddenError('clearing the key-value table is not allowed (set allowClear)');
    }
    await this.guard('clear', undefined, async () => {
      await this.parts.repo.clear();
      this.parts.logger.info({ table: this.table }, 'key-value table cleared');
    });
  }

  /**
   * `for await (const [key, value] of store)` or `for await (const { key, value } of store)`: streams
   * pages of entries in key order, constant memory.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<KeyValueItem> {
    for await (const [key, value] of this.pairs('iterate')) yield keyValueItem(key, value);
  }

  /** Streams the keys in key order without reading values. */
  async *iKeys(): AsyncGenerator<string> {
    yield* this.tolerate('iKeys', this.keyPages());
  }

  /** Streams the values in key order. */
  async *iValues(): AsyncGenerator<unknown> {
    for await (const [, value] of this.pairs('iValues')) yield value;
  }

  /**
   * Rewrites every value not yet in the current form (dbstore rows, plaintext, older keys) with the
   * keyring's active key; resumable, and never subject to ignoreError. See reencryptValues.
   */
  async reencrypt(options?: ReencryptOptions): Promise<ReencryptReport> {
    await this.start();
    return reencryptValues(this.parts.repo, this.parts.codec, this.parts.logger, this.table, options);
  }

  /** Closes the connection if this store opened it; later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.parts.ownsStore) await this.parts.store.close();
  }

  private now() {
    return this.parts.store.codec.timestamp(new Date());
  }

  /** Runs an operation after start(); under ignoreError a failure is logged and `fallback` returned. */
  private async guard<T>(op: string, fallback: T, work: () => Promise<T>): Promise<T> {
    try {
      await this.start();
      return await work();
    } catch (error) {
      if (!this.parts.ignoreError) throw error;
      this.logIgnored(op, error);
      return fallback;
    }
  }

  private logIgnored(op: string, error: unknown): void {
    const code = isAuthkeepError(error) ? error.code : 'internal';
    const message =
      code === 'integrity'
        ? 'key-value entry failed its integrity check (tampered, wrong key or refused plaintext); ignored'
        : 'key-value operation failed; ignored';
    // Never the key, the value or the underlying message: they may hold secrets.
    this.parts.logger.error(
      { op, table: this.table, errorCode: code, error: (error as Error)?.name },
      message,
    );
  }

  /** Under ignoreError, ends a stream quietly (logged) on a failure instead of throwing into the loop. */
  private async *tolerate<T>(op: string, source: AsyncGenerator<T>): AsyncGenerator<T> {
    try {
      await this.start();
      yield* source;
    } catch (error) {
      if (!this.parts.ignoreError) throw error;
      this.logIgnored(op, error);
    }
  }

  private async *keyPages(): AsyncGenerator<string> {
    await this.start();
    const { repo, pageSize } = this.parts;
    for (let after: string | null = null; ;) {
      const keys = await repo.pageKeys(after, pageSize);
      yield* keys;
      if (keys.length < pageSize) return;
      after = keys[keys.length - 1] as string;
    }
  }

  /** Decoded entries, page by page; an undecodable row throws, or is skipped and logged under ignoreError. */
  private async *pairs(op: string): AsyncGenerator<[string, unknown]> {
    yield* this.tolerate(op, this.decodedPages(op));
  }

  private async *decodedPages(op: string): AsyncGenerator<[string, unknown]> {
    const { repo, pageSize, codec } = this.parts;
    for (let after: string | null = null; ;) {
      const page = await repo.page(after, pageSize);
      for (const { key, json } of page) {
        let value: unknown;
        try {
          value = codec.read(key, json);
        } catch (error) {
          if (!this.parts.ignoreError) throw error;
          this.logIgnored(op, error);
          continue;
        }
        yield [key, value];
      }
      if (page.length < pageSize) return;
      after = (page[page.length - 1] as StoredPair).key;
    }
  }
}
