import { parseInput } from '../../../domain/record-spec.js';
import type { SSOLink, SSOSession } from '../../../domain/records.js';
import {
  ssoLinkSpec,
  ssoSessionSpec,
  type SSOLinkInput,
  type SSOSessionInput,
} from '../../../domain/specs/sso.js';
import type { KitiumContext } from '../context.js';
import { checkId } from '../guards.js';

/** SSO links (a user's identity at a provider) and SSO sessions (token sealed at rest). */
export class SsoLinkFacade {
  constructor(private readonly ctx: KitiumContext) {}

  async createLink(data: unknown): Promise<SSOLink> {
    const input = parseInput<SSOLinkInput>(ssoLinkSpec, data, ['id', 'linkedAt']);
    const now = this.ctx.clock.now();
    return this.ctx.ssoLinks.insert({
      ...input,
      id: this.ctx.ids.id(),
      linkedAt: now,
      lastAuthAt: input.lastAuthAt ?? now,
    });
  }

  async getLink(id: unknown): Promise<SSOLink | null> {
    return this.ctx.ssoLinks.findById(checkId(id, 'linkId'));
  }

  async listLinks(userId: unknown): Promise<SSOLink[]> {
    return this.ctx.ssoLinks.listByUser(checkId(userId, 'userId'));
  }

  async deleteLink(id: unknown): Promise<void> {
    await this.ctx.ssoLinks.delete(checkId(id, 'linkId'));
  }

  async createSession(data: unknown): Promise<SSOSession> {
    const input = parseInput<SSOSessionInput>(ssoSessionSpec, data, ['id', 'linkedAt']);
    const now = this.ctx.clock.now();
    return this.ctx.ssoSessions.insert({
      ...input,
      id: this.ctx.ids.id(),
      linkedAt: now,
      lastAuthAt: input.lastAuthAt ?? now,
    });
  }

  async getSession(id: unknown): Promise<SSOSession | null> {
    return this.ctx.ssoSessions.findById(checkId(id, 'sessionId'));
  }
}
