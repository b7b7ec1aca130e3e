import { parseInputWithExtra } from '../../../domain/fields/record-spec.js';
import type { SSOLink, SSOSession } from '../../../domain/records/records.js';
import {
  ssoLinkSpec,
  ssoSessionSpec,
  type SSOLinkInput,
  type SSOSessionInput,
} from '../../../domain/specs/sso.js';
import type { KitiumContext } from '../context.js';
import { lookupId } from '../guards.js';

/** SSO links (a user's identity at a provider) and SSO sessions (token sealed at rest). */
export class SsoLinkFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** Keeps the caller's id when given (SSOService passes `sso_link_…`) and the caller's extra fields. */
  async createLink(data: unknown): Promise<SSOLink> {
    const { fields, extra } = parseInputWithExtra<SSOLinkInput>(ssoLinkSpec, data, ['linkedAt']);
    const now = this.ctx.clock.now();
    return this.ctx.ssoLinks.insert(
      { ...fields, id: fields.id ?? this.ctx.ids.id(), linkedAt: now, lastAuthAt: fields.lastAuthAt ?? now },
      extra,
    );
  }

  async getLink(id: unknown): Promise<SSOLink | null> {
    const key = lookupId(id, 'linkId');
    return key === null ? null : this.ctx.ssoLinks.findById(key);
  }

  /** SSOService.getSSOLinkByProviderSubject asks for the links of user '': there are none. */
  async listLinks(userId: unknown): Promise<SSOLink[]> {
    const key = lookupId(userId, 'userId');
    return key === null ? [] : this.ctx.ssoLinks.listByUser(key);
  }

  async deleteLink(id: unknown): Promise<void> {
    const key = lookupId(id, 'linkId');
    if (key !== null) await this.ctx.ssoLinks.delete(key);
  }

  /** As for links: the caller's id (`sso_session_…`) and extra fields are kept. */
  async createSession(data: unknown): Promise<SSOSession> {
    const { fields, extra } = parseInputWithExtra<SSOSessionInput>(ssoSessionSpec, data, ['linkedAt']);
    const now = this.ctx.clock.now();
    return this.ctx.ssoSessions.insert(
      { ...fields, id: fields.id ?? this.ctx.ids.id(), linkedAt: now, lastAuthAt: fields.lastAuthAt ?? now },
      extra,
    );
  }

  async getSession(id: unknown): Promise<SSOSession | null> {
    const key = lookupId(id, 'sessionId');
    return key === null ? null : this.ctx.ssoSessions.findById(key);
  }
}
