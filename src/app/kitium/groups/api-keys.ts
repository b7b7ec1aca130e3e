import { withExtraFieldsAsText, withExtraFieldsText } from '../../../domain/fields/extra-fields.js';
import { parseInputWithExtra, parsePatchWithExtra } from '../../../domain/fields/record-spec.js';
import type { ApiKeyRecord } from '../../../domain/records/records.js';
import { apiKeySpec, type ApiKeyInput } from '../../../domain/specs/core.js';
import { stringArray, string } from '../../../domain/fields/validation.js';
import type { KitiumContext } from '../context.js';
import { checkId, lookupId, lookupValue, notFound, orNotFound } from '../guards.js';

const entity = 'apiKey';
const scopesRule = stringArray();
const prefixRule = string({ max: 64 });

export interface IssuedApiKey {
  record: ApiKeyRecord;
  /** The plaintext key: returned once, never stored. */
  key: string;
}

/** The caller's record from the stored one: the extra fields travel as text up to here (see the ports). */
const toRecord = (stored: ApiKeyRecord): ApiKeyRecord => withExtraFieldsText(stored);

/**
 * API keys: records as upstream stores them, plus issuing, verifying and rotating secrets. A caller's
 * extra fields are kept and returned (upstream's memory adapter spreads `data`).
 */
export class ApiKeyFacade {
  constructor(private readonly ctx: KitiumContext) {}

  async create(data: unknown): Promise<ApiKeyRecord> {
    const { fields, extra } = parseInputWithExtra<ApiKeyInput>(apiKeySpec, data, [
      'id',
      'createdAt',
      'updatedAt',
    ]);
    const now = this.ctx.clock.now();
    const record = { ...fields, id: this.ctx.ids.id(), createdAt: now, updatedAt: now };
    const stored = await this.ctx.apiKeys.insert(withExtraFieldsAsText(record, extra));
    return toRecord(stored);
  }

  async get(id: unknown): Promise<ApiKeyRecord | null> {
    const key = lookupId(id);
    const stored = key === null ? null : await this.ctx.apiKeys.findById(key);
    return stored && toRecord(stored);
  }

  /** Looks the hash up exactly as given: the caller computed it. */
  async getByHash(hash: unknown): Promise<ApiKeyRecord | null> {
    const key = lookupValue(hash, 'hash');
    const stored = key === null ? null : await this.ctx.apiKeys.findByHash(key);
    return stored && toRecord(stored);
  }

  async getByPrefixAndLastFour(prefix: unknown, lastFour: unknown): Promise<ApiKeyRecord[]> {
    const byPrefix = lookupValue(prefix, 'prefix');
    const byLastFour = lookupValue(lastFour, 'lastFour');
    if (byPrefix === null || byLastFour === null) return [];
    return (await this.ctx.apiKeys.findByPrefixAndLastFour(byPrefix, byLastFour)).map(toRecord);
  }

  async update(id: unknown, data: unknown): Promise<ApiKeyRecord> {
    const key = lookupId(id);
    if (key === null) notFound(entity);
    const { patch, extra } = parsePatchWithExtra<ApiKeyInput>(apiKeySpec, data);
    return toRecord(
      orNotFound(await this.ctx.apiKeys.update(key, { ...patch, extra }, this.ctx.clock.now()), entity),
    );
  }

  async delete(id: unknown): Promise<void> {
    const key = lookupId(id);
    if (key !== null) await this.ctx.apiKeys.delete(key);
  }

  async list(principalId: unknown): Promise<ApiKeyRecord[]> {
    const key = lookupId(principalId, 'principalId');
    return key === null ? [] : (await this.ctx.apiKeys.listByPrincipal(key)).map(toRecord);
  }

  private newSecret(prefix: string): { key: string; hash: string; lastFour: string } {
    // Upstream's format: <prefix>_<64 hex chars>, so keys it issued keep verifying.
    const key = `${prefix}_${this.ctx.ids.token(32, 'hex')}`;
    return { key, hash: this.ctx.digest.digest(key), lastFour: key.slice(-4) };
  }

  async createWithSecret(
    principalId: unknown,
    scopes: unknown = [],
    prefix: unknown = 'api',
  ): Promise<IssuedApiKey> {
    const checkedPrefix = prefixRule(prefix, 'prefix');
    const secret = this.newSecret(checkedPrefix);
    const record = await this.create({
      principalId: checkId(principalId, 'principalId'),
      hash: secret.hash,
      prefix: checkedPrefix,
      lastFour: secret.lastFour,
      scopes: scopesRule(scopes, 'scopes'),
    });
    return { record, key: secret.key };
  }

  /** The record for a plaintext key, or null when it is unknown or expired. */
  async verify(key: unknown): Promise<ApiKeyRecord | null> {
    if (typeof key !== 'string' || key.length === 0 || key.length > 1024) return null;
    const hash = this.ctx.digest.digest(key);
    const record = await this.ctx.apiKeys.findByHash(hash);
    if (!record || !this.ctx.digest.equals(record.hash, hash)) return null;
    if (record.expiresAt && record.expiresAt.getTime() <= this.ctx.clock.now().getTime()) return null;
    return toRecord(record);
  }

  /** Issues a new secret for an existing key; the old secret stops working at once. */
  async rotate(id: unknown): Promise<IssuedApiKey> {
    const existing = orNotFound(await this.get(id), entity);
    const secret = this.newSecret(existing.prefix || 'api');
    const record = orNotFound(
      await this.ctx.apiKeys.update(
        existing.id,
        { hash: secret.hash, lastFour: secret.lastFour },
        this.ctx.clock.now(),
      ),
      entity,
    );
    return { record: toRecord(record), key: secret.key };
  }
}
