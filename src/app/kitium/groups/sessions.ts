import { parseInput, parsePatch } from '../../../domain/record-spec.js';
import type { SessionRecord } from '../../../domain/records.js';
import { sessionSpec, type SessionInput } from '../../../domain/specs/core.js';
import type { KitiumContext } from '../context.js';
import { checkLookup, orNotFound } from '../guards.js';

/**
 * Sessions: the id handed to the caller is a 256-bit bearer token; the database keeps only its digest,
 * so every look-up digests the id first and puts the caller's id back on the record.
 */
export class SessionFacade {
  constructor(private readonly ctx: KitiumContext) {}

  private key(id: unknown): string {
    return this.ctx.digest.digest(checkLookup(id, 'id'));
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
    const stored = await this.ctx.sessions.findByKey(this.key(id));
    return stored ? { id: id as string, ...stored } : null;
  }

  async update(id: unknown, data: unknown): Promise<SessionRecord> {
    const key = this.key(id);
    const patch = parsePatch<SessionInput>(sessionSpec, data);
    const stored = orNotFound(await this.ctx.sessions.update(key, patch, this.ctx.clock.now()), 'session');
    return { id: id as string, ...stored };
  }

  async delete(id: unknown): Promise<void> {
    return this.ctx.sessions.delete(this.key(id));
  }
}
