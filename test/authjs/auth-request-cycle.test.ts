import { Auth, type AuthConfig } from '@auth/core';
import type { EmailConfig } from '@auth/core/providers/email';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, openVariant, variants, TABLES, type OpenedAuthjs } from './support/backends.js';

const ORIGIN = 'http://localhost:3000';

/** The smallest cookie jar: name → value, from Set-Cookie (an expired or emptied cookie is removed). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): Response {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

// A real @auth/core 0.41.3 Auth() handler with the database session strategy and an email provider whose
// sendVerificationRequest hands the sign-in link to the test (as an inbox would).
for (const variant of variants()) {
  describe.skipIf(!available(variant))(`Auth() email sign-in, session, sign-out [${variant.name}]`, () => {
    let opened: OpenedAuthjs;
    let config: AuthConfig;
    const links: string[] = [];
    const jar = new CookieJar();
    const request = async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (jar.header()) headers.set('cookie', jar.header());
      return jar.take(await Auth(new Request(`${ORIGIN}${path}`, { ...init, headers }), config));
    };
    const form = (values: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(values).toString(),
    });

    beforeAll(async () => {
      opened = await openVariant(variant, 'authjs-cycle');
      const email: EmailConfig = {
        id: 'email',
        type: 'email',
        name: 'Email',
        maxAge: 600,
        sendVerificationRequest: ({ url }) => {
          links.push(url);
        },
      };
      config = {
        adapter: opened.adapter,
        providers: [email],
        secret: 'authkeep-test-secret-that-is-long-enough-0123',
        trustHost: true,
        basePath: '/auth',
        session: { strategy: 'database' },
        logger: { error: () => undefined, warn: () => undefined, debug: () => undefined },
      };
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    it('signs in by email link, reads the database session, and signs out', async () => {
      const address = `${randomUUID()}@example.com`;
      const csrf = (await (await request('/auth/csrf')).json()) as { csrfToken: string };
      const signin = await request('/auth/signin/email', form({ email: address, csrfToken: csrf.csrfToken }));
      expect(signin.status).toBe(302);
      expect(links).toHaveLength(1);
      const link = new URL(links[0]!);
      expect(link.pathname).toBe('/auth/callback/email');
      const tokens = await opened.raw(
        `select identifier from "${TABLES[variant.tables].verification_token}" where identifier = $1`,
        [address],
      );
      expect(tokens).toHaveLength(1);

      const callback = await request(`${link.pathname}${link.search}`);
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).not.toContain('error');
      expect(jar.has('authjs.session-token')).toBe(true);
      // The link is single-use: its verification token is gone.
      expect(
        await opened.raw(
          `select identifier from "${TABLES[variant.tables].verification_token}" where identifier = $1`,
          [address],
        ),
      ).toEqual([]);

      const session = (await (await request('/auth/session')).json()) as {
        user?: { email?: string };
        expires?: string;
      } | null;
      expect(session?.user?.email).toBe(address);
      expect(new Date(session!.expires!).getTime()).toBeGreaterThan(Date.now());
      const user = await opened.adapter.getUserByEmail(address);
      expect(user?.emailVerified).toBeInstanceOf(Date);

      const signout = await request('/auth/signout', form({ csrfToken: csrf.csrfToken }));
      expect(signout.status).toBe(302);
      expect(jar.has('authjs.session-token')).toBe(false);
      const sessions = await opened.raw(
        `select count(*) as n from "${TABLES[variant.tables].sessions}" where "userId" = $1`,
        [variant.tables === 'pg-adapter' ? Number(user!.id) : user!.id],
      );
      expect(Number(sessions[0]!.n)).toBe(0);
      const after = await (await request('/auth/session')).json();
      expect(after).toBeNull();
    });
  });
}
