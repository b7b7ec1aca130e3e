// A reader process of the multi-process cache benches: reports when a revoked session stops being served,
// can keep itself busy serving reads meanwhile, and runs timed slices of in-process hits or raw pg reads.
import pg from 'pg';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { rawSessionRead } from './cache-raw.js';

const [database, schema, cache, optionsJson] = process.argv.slice(2) as [string, string, string, string];
const adapter = new PostgresStorageAdapter(database, {
  schema,
  logger: silentLogger,
  max: 2,
  cache: cache as 'memory',
  cacheOptions: JSON.parse(optionsJson) as Record<string, unknown>,
});
const now = () => performance.timeOrigin + performance.now();
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

interface Message {
  id?: string;
  exit?: boolean;
  /** Read each once (the in-process tier holds them), then answer { warmed }. */
  warm?: string[];
  /**
   * Serve reads of these with `callers` callers until { idle }: each waits `paceMs` between reads (0: the next
   * event-loop turn, as a saturated server does; I/O is still polled between reads).
   */
  busy?: string[];
  callers?: number;
  paceMs?: number;
  idle?: boolean;
  /** Run `slice` ('tier': getSession hits; 'raw': raw pg reads) over `ids` for `ms`, then answer { ops, ms }. */
  slice?: 'tier' | 'raw';
  ids?: string[];
  ms?: number;
}

let busy = false;
let pool: pg.Pool | undefined;
let raw: ((id: string) => Promise<unknown>) | undefined;

async function serve(ids: string[], callers: number, paceMs: number): Promise<void> {
  busy = true;
  const pause = paceMs > 0 ? () => new Promise((resolve) => setTimeout(resolve, paceMs)) : nextTurn;
  let i = 0;
  const caller = async () => {
    while (busy) {
      await adapter.getSession(ids[i++ % ids.length]!);
      await pause();
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
}

async function slice(kind: 'tier' | 'raw', ids: string[], ms: number): Promise<void> {
  if (kind === 'raw' && raw === undefined) {
    pool = new pg.Pool({ connectionString: database, max: 4 });
    raw = rawSessionRead(pool, schema);
  }
  const read = kind === 'tier' ? (id: string) => adapter.getSession(id) : raw!;
  const started = performance.now();
  const deadline = started + ms;
  let ops = 0;
  let i = 0;
  const caller = async () => {
    while (performance.now() < deadline) {
      await read(ids[i++ % ids.length]!);
      ops += 1;
    }
  };
  await Promise.all(Array.from({ length: 4 }, caller));
  process.send!({ ops, ms: performance.now() - started });
}

process.on('message', (message: Message) => {
  if (message.exit) {
    busy = false;
    void Promise.all([adapter.disconnect(), pool?.end()]).then(() => process.exit(0));
    return;
  }
  if (message.warm) {
    const ids = message.warm;
    void (async () => {
      for (const id of ids) await adapter.getSession(id);
      process.send!({ warmed: true });
    })();
    return;
  }
  if (message.busy) return void serve(message.busy, message.callers ?? 4, message.paceMs ?? 0);
  if (message.idle) {
    busy = false;
    return;
  }
  if (message.slice) return void slice(message.slice, message.ids!, message.ms!);
  const id = message.id!;
  void (async () => {
    // Read until it is cached and then gone: the moment it goes is when the revocation reached us. Sampled
    // every millisecond (adds at most that): three readers spinning on two cores would measure the scheduler.
    while ((await adapter.getSession(id)) !== null) await new Promise((resolve) => setTimeout(resolve, 1));
    process.send!({ id, goneAt: now() });
  })();
});

void adapter.connect().then(() => process.send!({ ready: true }));
