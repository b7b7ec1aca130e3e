import {
  withExtraFields,
  withExtraFieldsAsText,
  withExtraFieldsText,
} from '../../../domain/fields/extra-fields.js';
import { parseInputWithExtra, parsePatchWithExtra } from '../../../domain/fields/record-spec.js';
import type { SessionRecord } from '../../../domain/records/records.js';
import {
  bucketedToken,
  bucketOfToken,
  sessionBucket,
  sessionKey,
} from '../../../domain/records/session-bucket.js';
import { sessionSpec, type SessionInput } from '../../../domain/specs/core.js';
import { clockMs } from '../../../adapters/system/clock.js';
import type { StoredSession } from '../../../ports/repos.js';
import type { KitiumContext } from '../context.js';
import { lookupValue, notFound, orNotFound } from '../guards.js';

/**
 * Sessions: the id handed to the caller is a 256-bit bearer token with its expiry bucket after a dot
 * (src/domain/records/session-bucket.ts); the database keeps only its digest,
 * so every look-up digests the id first and puts the caller's id back on the record. A caller's extra
 * fields are kept and returned (upstream's memory adapter spreads `data`); the id is never one of them.
 */
export class SessionFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** The key the session is stored under (digest and bucket); null for the empty id, which finds none. */
  private key(id: unknown): string | null {
    const token = lookupValue(id, 'id');
    return token === null ? null : sessionKey(this.ctx.digest.digest(token), bucketOfToken(token));
  }

  async create(data: unknown): Promise<SessionRecord> {
    const { fields, extra } = parseInputWithExtra<SessionInput>(sessionSpec, data, [
      'id',
      'createdAt',
      'updatedAt',
    ]);
    const now = this.ctx.clock.now();
    // The token names the bucket of the session's expiry, so every later look-up finds its partition.
    const bucket = sessionBucket(fields.expiresAt);
    const id = bucketedToken(this.ctx.ids.token(), bucket);
    await this.ctx.sessions.insert(
      sessionKey(this.ctx.digest.digest(id), bucket),
      withExtraFieldsAsText(stamped(undefined, fields, now), extra),
    );
    return withExtraFields(stamped(id, fields, now), extra);
  }

  /**
   * The session, or null when there is none or it has expired (`expiresAt` in the past), as upstream's
   * memory adapter answers; the expired row stays until sweepExpired() (or `authkeep sweep`) deletes it.
   */
  async get(id: unknown): Promise<SessionRecord | null> {
    const key = this.key(id);
    const stored = key === null ? null : await this.ctx.sessions.findByKey(key);
    if (!stored || clockMs(this.ctx.clock) > stored.expiresAt.getTime()) return null;
    return toRecord(id as string, stored);
  }

  async update(id: unknown, data: unknown): Promise<SessionRecord> {
    const key = this.key(id);
    if (key === null) notFound('session');
    const { patch, extra } = parsePatchWithExtra<SessionInput>(sessionSpec, data);
    const stored = orNotFound(
      await this.ctx.sessions.update(key, { ...patch, extra }, this.ctx.clock.now()),
      'session',
    );
    return toRecord(id as string, stored);
  }

  async delete(id: unknown): Promise<void> {
    const key = this.key(id);
    if (key !== null) await this.ctx.sessions.delete(key);
  }
}

/**
 * The validated fields with their times (and the id, first, when given), in the order a spread would give:
 * built field by field, as `{ id, ...fields, createdAt, updatedAt }` runs on every create.
 */
function stamped(id: string, fields: SessionInput, now: Date): SessionRecord;
function stamped(id: undefined, fields: SessionInput, now: Date): Omit<SessionRecord, 'id'>;
function stamped(id: string | undefined, fields: SessionInput, now: Date): Omit<SessionRecord, 'id'> {
  const out = (id === undefined ? {} : { id }) as SessionRecord;
  out.userId = fields.userId;
  if (fields.orgId !== undefined) out.orgId = fields.orgId;
  if (fields.plan !== undefined) out.plan = fields.plan;
  out.entitlements = fields.entitlements;
  out.expiresAt = fields.expiresAt;
  if (fields.metadata !== undefined) out.metadata = fields.metadata;
  out.createdAt = now;
  out.updatedAt = now;
  return out;
}

function toRecord(id: string, stored: StoredSession): SessionRecord {
  return withExtraFieldsText<SessionRecord>({ id, ...stored });
}
