import { emailLookupKey } from '../../../domain/email/email.js';
import { ConflictError, ValidationError } from '../../../domain/errors.js';
import { parseInput, parseInputWithExtra, parsePatchWithExtra } from '../../../domain/fields/record-spec.js';
import type { CreateUserInput, OAuthLink, UserRecord } from '../../../domain/records/records.js';
import { oauthLinkSpec, userSpec } from '../../../domain/specs/core.js';
import { isPlainObject } from '../../../domain/fields/validation.js';
import type { KitiumContext } from '../context.js';
import { checkLookup, lookupId, lookupValue, notFound, orNotFound } from '../guards.js';

/** Trims the email (whitespace around an address is never part of it); an all-blank email is refused. */
function withTrimmedEmail<T extends { email?: string }>(input: T): T {
  if (input.email === undefined) return input;
  const email = input.email.trim();
  if (email.length === 0)
    throw new ValidationError('user.email must not be blank', { details: { field: 'email' } });
  return { ...input, email };
}

/**
 * A whole record may be passed back to updateUser: its `oauth` is linkOAuthAccount's alone and ignored
 * here, as its id and timestamps are. (On create it is refused: links are made by linkOAuthAccount.)
 */
function withoutOAuth(data: unknown): unknown {
  if (!isPlainObject(data) || !Object.hasOwn(data, 'oauth')) return data;
  const { oauth: _ignored, ...rest } = data;
  return rest;
}

export class UserFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** A caller's extra fields are kept and returned (upstream's memory adapter spreads `data`). */
  async create(data: unknown): Promise<UserRecord> {
    const parsed = parseInputWithExtra<CreateUserInput>(userSpec, data, ['id', 'createdAt', 'updatedAt']);
    const input = withTrimmedEmail(parsed.fields);
    const now = this.ctx.clock.now();
    try {
      return await this.ctx.users.insert(
        {
          ...input,
          entitlements: input.entitlements ?? [],
          id: this.ctx.ids.id(),
          createdAt: now,
          updatedAt: now,
        },
        parsed.extra,
      );
    } catch (error) {
      if (error instanceof ConflictError) {
        throw new ConflictError('a user with this email already exists', {
          cause: error,
          details: { field: 'email' },
        });
      }
      throw error;
    }
  }

  async get(id: unknown): Promise<UserRecord | null> {
    const key = lookupId(id);
    return key === null ? null : this.ctx.users.findById(key);
  }

  async getByEmail(email: unknown): Promise<UserRecord | null> {
    const address = lookupValue(email, 'email');
    if (address === null) return null;
    // An address the identity rules refuse cannot belong to anyone: not found, without a query.
    const key = emailLookupKey(address);
    return key === null ? null : this.ctx.users.findByEmail(key);
  }

  async getByOAuth(provider: unknown, sub: unknown): Promise<UserRecord | null> {
    const name = lookupValue(provider, 'provider');
    const subject = lookupValue(sub, 'sub');
    return name === null || subject === null ? null : this.ctx.users.findByOAuth(name, subject);
  }

  async update(id: unknown, data: unknown): Promise<UserRecord> {
    const key = lookupId(id);
    if (key === null) notFound('user');
    const parsed = parsePatchWithExtra<CreateUserInput>(userSpec, withoutOAuth(data));
    const patch = withTrimmedEmail(parsed.patch);
    try {
      return orNotFound(await this.ctx.users.update(key, patch, parsed.extra, this.ctx.clock.now()), 'user');
    } catch (error) {
      if (error instanceof ConflictError) {
        throw new ConflictError('a user with this email already exists', {
          cause: error,
          details: { field: 'email' },
        });
      }
      throw error;
    }
  }

  async delete(id: unknown): Promise<void> {
    const key = lookupId(id);
    if (key !== null) await this.ctx.users.delete(key);
  }

  async linkOAuth(userId: unknown, provider: unknown, link: unknown): Promise<UserRecord> {
    const key = lookupId(userId, 'userId');
    if (key === null) notFound('user');
    const providerName = checkLookup(provider, 'provider');
    const parsed = parseInput<OAuthLink>(oauthLinkSpec, { provider: providerName, ...(link as object) });
    if (parsed.provider !== providerName) {
      throw new ValidationError('oauthLink.provider must match the provider argument', {
        details: { field: 'provider' },
      });
    }
    return orNotFound(await this.ctx.users.linkOAuth(key, parsed, this.ctx.clock.now()), 'user');
  }
}
