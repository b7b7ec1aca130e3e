import { withExtraFields, withExtraFieldsAsText, withExtraFieldsText } from '../../../domain/extra-fields.js';
import { parseInputWithExtra, parsePatchWithExtra } from '../../../domain/record-spec.js';
import type { SessionRecord } from '../../../domain/records.js';
import { sessionSpec, type SessionInput } from '../../../domain/specs/core.js';
import type { StoredSession } from '../../../ports/repos.js';
import type { KitiumContext } from '../context.js';
import { lookupValue, notFound, orNotFound } from '../guards.js';

/**
 * Sessions: the id handed to the caller is a 256-bit bearer token; the database keeps only its digest,
 * so every look-up digests the id first and puts the caller's id back on the record. A caller's extra
 * fields are kept and returned (upstream's memory adapter spreads `data`); the id is never one of them.
 */
export class SessionFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** The digest the session is stored under; null for the empty id, which finds no session. */
  private key(id: unknown): string | null {
    const token = lookupValue(id, 'id');
    return token === null ? null : this.ctx.digest.digest(token);
  }

  async create(data: unknown): Promise<SessionRecord> {
    const { fields, extra } = parseInputWithExtra<SessionInput>(sessionSpec, data, [
      'id',
      'createdAt',
      'updatedAt',
    ]);
    const now = this.ctx.clock.now();
    const id = this.ctx.ids.token();
    const record = { ...fields, createdAt: now, updatedAt: now };
    await this.ctx.sessions.insert(this.ctx.digest.digest(id), withExtraFieldsAsText(record, extra));
    return withExtraFields({ id, ...record }, extra);
  }

  async get(id: unknown): Promise<SessionRecord | null> {
    const key = this.key(id);
    const stored = key === null ? null : await this.ctx.sessions.findByKey(key);
    return stored ? toRecord(id as string, stored) : null;
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

function toRecord(id: string, stored: StoredSession): SessionRecord {
  return withExtraFieldsText<SessionRecord>({ id, ...stored });
}
