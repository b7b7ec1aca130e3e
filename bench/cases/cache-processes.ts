import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import {
  DEFAULT_ROUNDS,
  DEFAULT_ROUND_MS,
  measuredResult,
  median,
  ratioResult,
  type BenchResult,
  type RoundSamples,
} from '../harness.js';
import { rawSessionRead } from './cache-raw.js';

const SECRET = 'bench-cache-secret-0123456789';
const READERS = 4;
const now = () => performance.timeOrigin + performance.now();

interface Fleet {
  schema: string;
  writer: PostgresStorageAdapter;
  readers: ChildProcess[];
  ids: string[];
}

/** A fresh schema, a writing adapter with `sessions` sessions, and four reader processes holding them cached. */
async function withFleet<T>(
  databaseUrl: string,
  cache: string,
  cacheOptions: Record<string, unknown>,
  sessions: number,
  work: (fleet: Fleet) => Promise<T>,
): Promise<T> {
  const schema = `bench_fleet_${randomBytes(4).toString('hex')}`;
  const writer = new PostgresStorageAdapter(databaseUrl, {
    schema,
    logger: silentLogger,
    cache: cache as 'memory',
    cacheOptions,
  });
  await writer.connect();
  const worker = fileURLToPath(new URL('./propagation-worker.ts', import.meta.url));
  const readers: ChildProcess[] = [];
  try {
    const ids: string[] = [];
    for (let i = 0; i < sessions; i += 1) {
      const session = await writer.createSession({
        userId: `user-${i % 50}`,
        entitlements: ['a', 'b'],
        metadata: { ip: '10.0.0.1' },
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      ids.push(session.id);
    }
    for (let r = 0; r < READERS; r += 1) {
      const child = fork(worker, [databaseUrl, schema, cache, JSON.stringify(cacheOptions)], {
        execArgv: ['--import', 'tsx'],
      });
      await reply(child, 'ready');
      readers.push(child);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // buses subscribed, leases live
    await Promise.all(readers.map((child) => ask(child, { warm: ids }, 'warmed')));
    return await work({ schema, writer, readers, ids });
  } finally {
    for (const child of readers) child.send({ exit: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const child of readers) child.kill();
    await writer.disconnect();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

function reply<T>(child: ChildProcess, field: string): Promise<T> {
  return new Promise<T>((resolve) =>
    child.on('message', function onMessage(message: Record<string, unknown>) {
      if (!(field in message)) return;
      child.off('message', onMessage);
      resolve(message as T);
    }),
  );
}

function ask<T>(child: ChildProcess, message: object, field: string): Promise<T> {
  const answer = reply<T>(child, field);
  child.send(message);
  return answer;
}

/**
 * getSession served by the in-process tier in four processes at once (4 callers each) against raw `pg` reads
 * of the same rows in the same four processes: aggregated rates, interleaved slice by slice (issue 22 item 3).
 */
async function tierFleet(databaseUrl: string): Promise<BenchResult> {
  return withFleet(databaseUrl, 'memory', {}, 500, async ({ schema, readers, ids }) => {
    const check = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const found = (await rawSessionRead(check, schema)(ids[0]!)) as { rowCount: number };
    await check.end();
    if (found.rowCount !== 1) throw new Error('the raw baseline does not find the session row');
    const sliceMs = 50;
    const contenders = ['tier', 'raw'] as const;
    const samples: RoundSamples = { tier: [], raw: [] };
    const run = async (kind: 'tier' | 'raw') => {
      const answers = await Promise.all(
        readers.map((child) =>
          ask<{ ops: number; ms: number }>(child, { slice: kind, ids, ms: sliceMs }, 'ops'),
        ),
      );
      return answers.reduce((sum, { ops, ms }) => sum + (ops * 1000) / ms, 0);
    };
    for (const kind of contenders) await run(kind); // warm-up: statements prepared, code optimised
    const slices = Math.max(1, Math.round(DEFAULT_ROUND_MS() / sliceMs));
    for (let round = 0, turn = 0; round < DEFAULT_ROUNDS(); round += 1) {
      samples.tier!.push([]);
      samples.raw!.push([]);
      for (let slice = 0; slice < slices; slice += 1, turn += 1) {
        const order = turn % 2 === 0 ? contenders : ([...contenders].reverse() as ('tier' | 'raw')[]);
        for (const kind of order) samples[kind]![round]!.push(await run(kind));
      }
    }
    const result = ratioResult(
      'getSession, in-process tier hits in 4 processes at once (aggregate)',
      samples,
      'tier',
      'raw',
      // A regression guard: lowest rounds 38 and 47–56 quiet, 51–68 loaded (raw pg suffers most from load);
      // the ≥ 10 target is in bench/targets.ts.
      35,
    );
    result.versus = 'raw pg named SELECT by digest in the same 4 processes';
    result.extra = {
      tier_ops_per_s: Math.round(median(samples.tier!.flat())),
      raw_ops_per_s: Math.round(median(samples.raw!.flat())),
    };
    return result;
  });
}

/**
 * One revoking process and four readers kept busy serving in-process hits, 4 callers each: saturated (the next
 * read on the next event-loop turn: 100% CPU, so the readers wait for the scheduler) or paced (a read every
 * millisecond per caller, about 4,000 reads/s per reader). Per revocation, from deleteSession returning to the SLOWEST reader's first probe that no
 * longer sees the session; p50/p99 over those.
 */
async function busyPropagation(
  databaseUrl: string,
  redisUrl: string,
  mode: 'memory' | 'redis',
  paceMs: number,
): Promise<BenchResult> {
  const namespace = `bench:${randomBytes(4).toString('hex')}:`;
  const cache = mode === 'memory' ? 'memory' : redisUrl;
  const cacheOptions = mode === 'memory' ? {} : { namespace, secret: SECRET, local: true };
  return withFleet(databaseUrl, cache, cacheOptions, 200, async ({ writer, readers, ids }) => {
    for (const child of readers) child.send({ busy: ids, callers: 4, paceMs });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const slowest: number[] = [];
    for (let n = 0; n < 100; n += 1) {
      const session = await writer.createSession({
        userId: 'p',
        entitlements: [],
        expiresAt: new Date(Date.now() + 3_600_000),
      });
      const gone = readers.map((child) =>
        reply<{ id: string; goneAt: number }>(child, 'goneAt').then(({ goneAt }) => goneAt),
      );
      for (const child of readers) child.send({ id: session.id });
      await new Promise((resolve) => setTimeout(resolve, 60)); // readers have it cached
      await writer.deleteSession(session.id);
      const returnedAt = now();
      slowest.push(Math.max(0, Math.max(...(await Promise.all(gone))) - returnedAt));
    }
    for (const child of readers) child.send({ idle: true });
    slowest.sort((a, b) => a - b);
    const at = (p: number) =>
      Number(slowest[Math.min(slowest.length - 1, Math.floor((slowest.length * p) / 100))]!.toFixed(2));
    return measuredResult(
      `revocation propagation to 4 ${paceMs > 0 ? 'busy (a read per ms per caller)' : 'saturated'} readers, slowest reader (${mode === 'memory' ? 'PostgreSQL NOTIFY' : 'Redis pub/sub'} bus)`,
      { p50_ms: at(50), p99_ms: at(99), samples: slowest.length },
      // Paced readers: the 20 ms target. Saturated readers on 2 cores wait for the scheduler (p99 36-211 ms
      // seen): a guard that still fails when propagation breaks (a missed message waits for the lease).
      paceMs > 0 ? 'p99 < 20 ms' : 'p99 < 250 ms',
      at(99) < (paceMs > 0 ? 20 : 250),
    );
  });
}

/** The in-process tier across processes: aggregate hit rate and propagation under load (issue 22 item 3). */
export async function cacheProcessCases(databaseUrl: string, redisUrl: string): Promise<BenchResult[]> {
  return [
    await tierFleet(databaseUrl),
    await busyPropagation(databaseUrl, redisUrl, 'memory', 1),
    await busyPropagation(databaseUrl, redisUrl, 'redis', 1),
    await busyPropagation(databaseUrl, redisUrl, 'memory', 0),
  ];
}
