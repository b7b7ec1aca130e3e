import { parseInput, parsePatch } from '../../../domain/record-spec.js';
import type { SessionRecord } from '../../../domain/records.js';
import { sessionSpec, type SessionInput } from '../../../domain/specs/core.js';
import type { KitiumContext } from '../context.js';
import { lookupValue, notFound, orNotFound } from '../guards.js';

/**
 * Sessions: the id handed to the caller is a 256-bit bearer token; the database keeps only its digest,
 * so every look-up digests the id first and puts the caller's id back on the record.
 */
export class SessionFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** The digest the session is stored under; null for the empty id, which finds no session. */
  private key(id: unknown): string | null {
    const token = lookupValue(id, 'id');
    return token === null ? null : this.ctx.digest.digest(token);
  }

  async create(data: unknown): Promise<SessionRecord> {
    const input = parseInput<SessionInput>(sessionSpec, data, ['id', 'createdAt', 'updatedAt']);
    const now = this.ctx.clock.now();
    const id = this.ctx.ids.token();
    const stored = { ...input, createdAt: now, updatedAt: now };
    await this.ctx.sessions.insert(this.ctx.digest.digest(id), stored);
    return { id, ...stored };
  }

  async get(id: unknown): Promise<SessionRecord | null> {
    const key = this.key(id);
    const stored = key === null ? null : await this.ctx.sessions.findByKey(key);
    return stored ? { id: id as string, ...stored } : null;
  }

  async update(id: unknown, data: unknown): Promise<SessionRecord> {
    const key = this.key(id);
    if (key === null) notFound('session');
    const patch = parsePatch<SessionInput>(sessionSpec, data);
    const stored = orNotFound(await this.ctx.sessions.update(key, patch, this.ctx.clock.now()), 'session');
    return { id: id as string, ...stored };
  }

  async delete(id: unknown): Promise<void> {
    const key = this.key(id);
    if (key !== null) await this.ctx.sessions.delete(key);
  }
}
