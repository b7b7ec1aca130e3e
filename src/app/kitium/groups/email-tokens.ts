import { emailLookupKey } from '../../../domain/email/email.js';
import { ConflictError } from '../../../domain/errors.js';
import { parseInputWithExtra } from '../../../domain/fields/record-spec.js';
import type { AuthEvent, EmailVerificationToken } from '../../../domain/records/records.js';
import { authEventSpec, emailTokenSpec, type EmailTokenInput } from '../../../domain/specs/core.js';
import type { KitiumContext } from '../context.js';
import { checkLookup, lookupId, lookupValue, notFound, orNotFound } from '../guards.js';

const entity = 'emailVerificationToken';

export class EmailTokenFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** A caller's extra fields are kept and returned; the code is sealed as always, whatever they hold. */
  async create(data: unknown): Promise<EmailVerificationToken> {
    const { fields, extra } = parseInputWithExtra<EmailTokenInput>(emailTokenSpec, data, ['id']);
    return this.ctx.emailTokens.insert(
      {
        ...fields,
        email: fields.email.trim(),
        id: this.ctx.ids.id(),
        createdAt: fields.createdAt ?? this.ctx.clock.now(),
      },
      extra,
    );
  }

  /** No token has the empty email (upstream's memory adapter filters on it and finds none). */
  async list(email: unknown, type?: unknown): Promise<EmailVerificationToken[]> {
    const kind = type === undefined || type === null ? undefined : checkLookup(type, 'type');
    const address = lookupValue(email, 'email');
    const key = address === null ? null : emailLookupKey(address);
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

  /** 0 for a token never tried, the empty id included (memory.ts answers `?? 0`). */
  async getAttempts(tokenId: unknown): Promise<number> {
    const key = lookupId(tokenId, 'tokenId');
    return key === null ? 0 : this.ctx.emailTokens.getAttempts(key);
  }

  /** A write: an unknown token, the empty id included, is not_found. */
  async incrementAttempts(tokenId: unknown): Promise<number> {
    const key = lookupId(tokenId, 'tokenId');
    if (key === null) notFound(entity);
    return orNotFound(await this.ctx.emailTokens.incrementAttempts(key), entity);
  }
}

export class EventFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** A caller's extra fields are kept with the event (upstream's memory adapter keeps the object). */
  async emit(event: unknown): Promise<void> {
    const { fields, extra } = parseInputWithExtra<AuthEvent>(authEventSpec, event);
    await this.ctx.events.append({ ...fields, timestamp: fields.timestamp ?? this.ctx.clock.now() }, extra);
  }
}
