import { emailLookupKey } from '../../../domain/email.js';
import { ConflictError } from '../../../domain/errors.js';
import { parseInput } from '../../../domain/record-spec.js';
import type { AuthEvent, EmailVerificationToken } from '../../../domain/records.js';
import { authEventSpec, emailTokenSpec, type EmailTokenInput } from '../../../domain/specs/core.js';
import type { KitiumContext } from '../context.js';
import { checkId, checkLookup, lookupId, notFound, orNotFound } from '../guards.js';

const entity = 'emailVerificationToken';

export class EmailTokenFacade {
  constructor(private readonly ctx: KitiumContext) {}

  async create(data: unknown): Promise<EmailVerificationToken> {
    const input = parseInput<EmailTokenInput>(emailTokenSpec, data, ['id']);
    return this.ctx.emailTokens.insert({
      ...input,
      email: input.email.trim(),
      id: this.ctx.ids.id(),
      createdAt: input.createdAt ?? this.ctx.clock.now(),
    });
  }

  async list(email: unknown, type?: unknown): Promise<EmailVerificationToken[]> {
    const kind = type === undefined || type === null ? undefined : checkLookup(type, 'type');
    const key = emailLookupKey(checkLookup(email, 'email'));
    return key === null ? [] : this.ctx.emailTokens.listByEmail(key, kind);
  }

  async get(id: unknown): Promise<EmailVerificationToken | null> {
    const key = lookupId(id);
    return key === null ? null : this.ctx.emailTokens.findById(key);
  }

  /** Single use: exactly one caller succeeds; a second call is a conflict, an unknown id not_found. */
  async markUsed(id: unknown): Promise<EmailVerificationToken> {
    const key = lookupId(id);
    if (key === null) notFound(entity);
    const token = await this.ctx.emailTokens.markUsed(key, this.ctx.clock.now());
    if (token) return token;
    orNotFound(await this.ctx.emailTokens.findById(key), entity);
    throw new ConflictError('email verification token was already used', { details: { entity } });
  }

  async deleteExpired(): Promise<number> {
    return this.ctx.emailTokens.deleteExpired(this.ctx.clock.now());
  }

  async getAttempts(tokenId: unknown): Promise<number> {
    return this.ctx.emailTokens.getAttempts(checkId(tokenId, 'tokenId'));
  }

  async incrementAttempts(tokenId: unknown): Promise<number> {
    return orNotFound(await this.ctx.emailTokens.incrementAttempts(checkId(tokenId, 'tokenId')), entity);
  }
}

export class EventFacade {
  constructor(private readonly ctx: KitiumContext) {}

  async emit(event: unknown): Promise<void> {
    const input = parseInput<AuthEvent>(authEventSpec, event);
    await this.ctx.events.append({ ...input, timestamp: input.timestamp ?? this.ctx.clock.now() });
  }
}
