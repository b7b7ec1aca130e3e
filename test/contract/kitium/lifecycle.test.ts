import { expect, it } from 'vitest';
import { describeKitium } from './backends.js';

describeKitium('connection lifecycle', (h) => {
  it('connect is idempotent and healthCheck reports ok with a latency', async () => {
    await h.adapter.connect();
    await h.adapter.connect();
    const health = await h.adapter.healthCheck();
    expect(health.status).toBe('ok');
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('after disconnect, calls fail with unavailable (a fresh adapter of the same backend)', async () => {
    const { adapter, cleanup } = await h.backend.open('lifecycle-closed');
    await adapter.connect();
    await adapter.disconnect();
    await expect(adapter.getUser('x')).rejects.toMatchObject({ code: 'unavailable' });
    await adapter.disconnect();
    await cleanup();
  });
});
