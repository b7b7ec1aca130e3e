import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOn, launchRedis, RedisServerProcess, sparePort, stopChild } from './redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RedisSentinelHandle {
  /** The monitored master's name. */
  name: string;
  master: RedisServerProcess;
  replica: RedisServerProcess;
  sentinels: { host: string; port: number }[];
  /** `redis+sentinel://127.0.0.1:p1,127.0.0.1:p2,…/name`. */
  url: string;
  /** Port of the server Sentinel currently names as master. */
  currentMasterPort(): Promise<number>;
  /** Asks Sentinel to promote the replica and waits until it names the new master. */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

/** `redis-server <conf> --sentinel` (the redis-sentinel binary is the same program); resolves once it monitors. */
const launchSentinel = (conf: string) =>
  launchRedis([conf, '--sentinel'], '+monitor master', 'redis sentinel');

/**
 * A real Sentinel setup on spare loopback ports: a master, one replica of it, and `count` Sentinels
 * (quorum 2) monitoring it, with their config files in a temp dir; stop() kills them all and removes it.
 */
export async function startRedisSentinel(count = 3, name = 'authkeep'): Promise<RedisSentinelHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-sentinel-'));
  const servers: RedisServerProcess[] = [];
  const sentinelProcesses: ChildProcess[] = [];
  const stop = async () => {
    for (const child of sentinelProcesses) await stopChild(child);
    await Promise.all(servers.map((server) => server.destroy()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const master = await RedisServerProcess.start({ dir });
    servers.push(master);
    const replica = await RedisServerProcess.start({
      dir,
      args: () => ['--replicaof', '127.0.0.1', String(master.port)],
    });
    servers.push(replica);
    await waitFor(async () => (await replica.cli('INFO', 'replication')).includes('master_link_status:up'));
    const sentinels: { host: string; port: number }[] = [];
    for (let index = 0; index < count; index += 1) {
      const port = await sparePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} 2000`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinelProcesses.push(await launchSentinel(conf));
      sentinels.push({ host: '127.0.0.1', port });
    }
    const askSentinel = async () => {
      const probe = await cliOn(sentinels[0]!.port, ['SENTINEL', 'get-master-addr-by-name', name]);
      return Number(probe.trim().split('\n')[1]);
    };
    // Every Sentinel must know the replica before a failover can promote it.
    await waitFor(async () => {
      const counts = await Promise.all(sentinels.map((s) => cliOn(s.port, ['SENTINEL', 'replicas', name])));
      return counts.every((reply) => reply.includes(String(replica.port)));
    });
    return {
      name,
      master,
      replica,
      sentinels,
      url: `redis+sentinel://${sentinels.map((s) => `${s.host}:${s.port}`).join(',')}/${name}`,
      currentMasterPort: askSentinel,
      async failover() {
        const before = await askSentinel();
        await cliOn(sentinels[0]!.port, ['SENTINEL', 'failover', name]);
        await waitFor(async () => (await askSentinel()) !== before);
        const promoted = servers.find((server) => server.port !== before)!;
        const demoted = servers.find((server) => server.port === before)!;
        await waitFor(async () => (await promoted.cli('INFO', 'replication')).includes('role:master'));
        // Until the old master is reconfigured as a replica, a client still on it writes into a split brain.
        await waitFor(async () => (await demoted.cli('INFO', 'replication')).includes('role:slave'));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('redis sentinel setup did not settle in time');
    await sleep(100);
  }
}
