import { randomBytes, randomUUID } from 'node:crypto';
import { CombinedPersistenceWebhookHandler } from '@weissaufschwarz/mitthooks/handler/combinedPersistence';
import { NoopLogger } from '@weissaufschwarz/mitthooks/logging/noopLogger';
import type * as Published from '@weissaufschwarz/mitthooks/storage/extensionStorage';
import { expect, expectTypeOf, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import type * as Ours from '../../../src/app/mitthooks/index.js';
import { MitthooksExtensionStorage } from '../../../src/app/mitthooks/index.js';
import { NotFoundError } from '../../../src/domain/errors.js';
import { describeBackends } from '../keyvalue/backends.js';

// Compile-time: our class is an ExtensionStorage as @weissaufschwarz/mitthooks 0.3.0 publishes it,
// and the shapes restated in src/app/mitthooks/types.ts are exactly the published ones.
expectTypeOf<MitthooksExtensionStorage>().toMatchTypeOf<Published.ExtensionStorage>();
expectTypeOf<Ours.Extension>().toEqualTypeOf<Published.Extension>();
expectTypeOf<Ours.ExtensionToBeAdded>().toEqualTypeOf<Published.ExtensionToBeAdded>();
expectTypeOf<Ours.ExtensionToBeUpdated>().toEqualTypeOf<Published.ExtensionToBeUpdated>();
expectTypeOf<Ours.ExtensionStorage>().toEqualTypeOf<Published.ExtensionStorage>();

const keyring = new AesGcmKeyring({ keys: [{ id: 'k1', key: randomBytes(32) }] });

/** A webhook body of the given kind, as mittwald sends it (shapes from mitthooks' zod schemas). */
function webhook(kind: string, id: string, fields: Record<string, unknown>) {
  const body = {
    apiVersion: 'v1',
    id,
    kind,
    context: { id: fields.contextId ?? 'p-123', kind: fields.contextKind ?? 'project' },
    meta: { extensionId: 'ext', contributorId: 'contrib' },
    request: {
      id: randomUUID(),
      createdAt: new Date().toISOString(),
      target: { method: 'POST', url: 'https://x' },
    },
    consentedScopes: fields.consentedScopes ?? ['project:read'],
    state: { enabled: fields.enabled ?? true },
    ...(fields.secret === undefined ? {} : { secret: fields.secret }),
    ...(fields.variantKey === undefined ? {} : { variantKey: fields.variantKey }),
  };
  return { rawBody: JSON.stringify(body), signatureSerial: '', signatureAlgorithm: '', signature: '' };
}

it('the published storage module resolves at the documented path (types only: empty at run time)', async () => {
  expect(Object.keys(await import('@weissaufschwarz/mitthooks/storage/extensionStorage'))).toEqual([]);
});

describeBackends('mitthooks webhooks through the published handler', (h) => {
  it('every webhook kind lands in the table through CombinedPersistenceWebhookHandler', async () => {
    const storage = new MitthooksExtensionStorage({
      database: h.db.store,
      keyring,
      removal: 'soft',
      logger: silentLogger,
    });
    const published: Published.ExtensionStorage = storage;
    const handler = new CombinedPersistenceWebhookHandler(published, new NoopLogger());
    const next = async () => undefined;
    const id = randomUUID();

    await handler.handleWebhook(
      webhook('ExtensionAddedToContext', id, { secret: 'first', variantKey: 'gold', consentedScopes: ['a'] }),
      next,
    );
    expect(await storage.getExtension(id)).toMatchObject({
      secret: 'first',
      variantKey: 'gold',
      consentedScopes: ['a'],
      enabled: true,
      contextId: 'p-123',
    });

    await handler.handleWebhook(
      webhook('InstanceUpdated', id, { enabled: false, consentedScopes: ['a', 'b'] }),
      next,
    );
    expect(await storage.getExtension(id)).toMatchObject({ enabled: false, consentedScopes: ['a', 'b'] });

    await handler.handleWebhook(webhook('SecretRotated', id, { secret: 'second' }), next);
    expect((await storage.getExtension(id))!.secret).toBe('second');

    await handler.handleWebhook(webhook('InstanceRemovedFromContext', id, {}), next);
    expect(await storage.getExtension(id)).toMatchObject({ enabled: false, secret: null });

    // A webhook for an instance never added fails, so mitthooks re-throws it and it is retried.
    await expect(
      handler.handleWebhook(webhook('SecretRotated', randomUUID(), { secret: 'x' }), next),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
