// A reader process of the propagation bench: waits for session ids and reports when each stops being served.
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';

const [database, schema, cache, optionsJson] = process.argv.slice(2) as [string, string, string, string];
const adapter = new PostgresStorageAdapter(database, {
  schema,
  logger: silentLogger,
  max: 2,
  cache: cache as 'memory',
  cacheOptions: JSON.parse(optionsJson) as Record<string, unknown>,
});
const now = () => performance.timeOrigin + performance.now();

process.on('message', (message: { id?: string; exit?: boolean }) => {
  if (message.exit) {
    void adapter.disconnect().then(() => process.exit(0));
    return;
  }
  const id = message.id!;
  void (async () => {
    // Read until it is cached and then gone: the moment it goes is when the revocation reached us. Sampled
    // every millisecond (adds at most that): three readers spinning on two cores would measure the scheduler.
    while ((await adapter.getSession(id)) !== null) await new Promise((resolve) => setTimeout(resolve, 1));
    process.send!({ id, goneAt: now() });
  })();
});

void adapter.connect().then(() => process.send!({ ready: true }));
