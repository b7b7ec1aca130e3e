import { sql, type Kysely } from 'kysely';
import type { SqlStore } from '../sql-store.js';
import type { ExtensionColumns } from './extension-table.js';

export type ContextKind = 'customer' | 'project';

/** One row, decoded; `secret` is as stored (an envelope or legacy text), or null. */
export interface ExtensionRecord {
  id: string;
  contextId: string;
  context: ContextKind;
  active: boolean;
  variantKey: string | null;
  consentedScopes: string[];
  secret: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ExtensionUpsert {
  id: string;
  contextId: string;
  consentedScopes: readonly string[];
  secret: string;
  /** Kept as stored when undefined (the interface may omit it). */
  variantKey?: string | undefined;
  /** Kept as stored when undefined; 'project' for a new row, as upstream. */
  context?: ContextKind | undefined;
}

export interface ExtensionUpdate {
  id: string;
  contextId: string;
  consentedScopes: readonly string[];
  enabled: boolean;
  variantKey?: string | undefined;
}

type DynamicDb = Record<string, Record<string, unknown>>;
type Row = Record<string, unknown>;

const entity = 'extension instance';

/**
 * The SQL of the mitthooks ExtensionStorage over `extension_instance`, whatever its column casing.
 * Only the columns named here are ever written, so a caller's extra columns are kept.
 */
export class KyselyExtensionRepo {
  private readonly db: Kysely<DynamicDb>;

  constructor(
    private readonly store: SqlStore,
    private readonly table: string,
    private readonly c: ExtensionColumns,
  ) {
    this.db = store.typed<DynamicDb>();
  }

  /** Timestamps go as ISO text: drizzle's `timestamp` (without time zone) holds UTC wall-clock time. */
  private stamp(now: Date): string {
    return now.toISOString();
  }

  async find(id: string): Promise<ExtensionRecord | undefined> {
    const { c } = this;
    const postgres = this.store.dialect === 'postgres';
    // Epoch seconds read both timestamp kinds as UTC, whatever the session or process time zone.
    const time = (column: string) =>
      postgres
        ? sql<number>`cast(extract(epoch from ${sql.ref(column)}) as double precision)`
        : sql.ref(column);
    const row = (await this.store.run(
      () =>
        this.db
          .selectFrom(this.table)
          .select([
            `${c.id} as id`,
            `${c.contextId} as contextId`,
            `${c.active} as active`,
            `${c.variantKey} as variantKey`,
            `${c.consentedScopes} as consentedScopes`,
            `${c.secret} as secret`,
            (eb) => eb.cast<string>(c.context, 'text').as('context'),
            time(c.createdAt).as('createdAt'),
            time(c.updatedAt).as('updatedAt'),
          ])
          .where(c.id, '=', id)
          .executeTakeFirst(),
      { idempotent: true, entity },
    )) as Row | undefined;
    if (!row) return undefined;
    const codec = this.store.codec;
    const readTime = (value: unknown) =>
      typeof value === 'number' ? new Date(Math.round(value * 1000)) : codec.readTimestamp(value);
    return {
      id: String(row.id),
      contextId: String(row.contextId),
      context: row.context as ContextKind,
      active: codec.readBool(row.active),
      variantKey: (row.variantKey as string | null) ?? null,
      consentedScopes: codec.readArray(row.consentedScopes),
      secret: (row.secret as string | null) ?? null,
      createdAt: readTime(row.createdAt),
      updatedAt: readTime(row.updatedAt),
    };
  }

  /** Insert, or on an id conflict refresh everything the webhook carries (scopes included). */
  async upsert(input: ExtensionUpsert, now: Date): Promise<void> {
    const { c } = this;
    const codec = this.store.codec;
    const at = this.stamp(now);
    const values: Row = {
      [c.id]: input.id,
      [c.contextId]: input.contextId,
      [c.context]: input.context ?? 'project',
      [c.active]: codec.bool(true),
      [c.variantKey]: input.variantKey ?? null,
      [c.consentedScopes]: codec.array(input.consentedScopes),
      [c.secret]: input.secret,
      [c.createdAt]: at,
      [c.updatedAt]: at,
    };
    const refreshed = [c.contextId, c.active, c.consentedScopes, c.secret, c.updatedAt];
    if (input.variantKey !== undefined) refreshed.push(c.variantKey);
    if (input.context !== undefined) refreshed.push(c.context);
    await this.store.run(
      () =>
        this.db
          .insertInto(this.table)
          .values(values)
          .onConflict((oc) =>
            oc
              .column(c.id)
              .doUpdateSet(
                Object.fromEntries(refreshed.map((column) => [column, sql.ref(`excluded.${column}`)])),
              ),
          )
          .execute(),
      { idempotent: true, entity },
    );
  }

  /** Returns whether the row exists. The context kind is left alone: the interface does not carry it. */
  async update(input: ExtensionUpdate, now: Date): Promise<boolean> {
    const { c } = this;
    const codec = this.store.codec;
    const set: Row = {
      [c.contextId]: input.contextId,
      [c.active]: codec.bool(input.enabled),
      [c.consentedScopes]: codec.array(input.consentedScopes),
      [c.updatedAt]: this.stamp(now),
    };
    if (input.variantKey !== undefined) set[c.variantKey] = input.variantKey;
    return this.updateById(input.id, set);
  }

  async setSecret(id: string, secret: string, now: Date): Promise<boolean> {
    return this.updateById(id, { [this.c.secret]: secret, [this.c.updatedAt]: this.stamp(now) });
  }

  /** Soft removal: the row stays, deactivated, and its secret is erased. */
  async deactivate(id: string, now: Date): Promise<boolean> {
    const { c } = this;
    return this.updateById(id, {
      [c.active]: this.store.codec.bool(false),
      [c.secret]: null,
      [c.updatedAt]: this.stamp(now),
    });
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.store.run(
      () => this.db.deleteFrom(this.table).where(this.c.id, '=', id).executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(result.numDeletedRows) > 0;
  }

  private async updateById(id: string, set: Row): Promise<boolean> {
    const result = await this.store.run(
      () => this.db.updateTable(this.table).set(set).where(this.c.id, '=', id).executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(result.numUpdatedRows) > 0;
  }
}
