import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RedisServerProcess } from './redis-server.js';

const run = promisify(execFile);

export interface RedisClusterHandle {
  /** Seed nodes for an ioredis Cluster. */
  nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real Redis Cluster of `masters` redis-server processes (no replicas) on spare loopback ports, with its
 * node files in a temp dir; stop() kills the processes and removes the dir.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-cluster-'));
  const servers: RedisServerProcess[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.destroy()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < masters; index += 1) {
      servers.push(
        await RedisServerProcess.start({
          dir,
          clusterBus: true,
          args: (port) => [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
          ],
        }),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    await waitForClusterOk(servers);
    return { nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Every node must report cluster_state:ok and know all masters before clients connect. */
async function waitForClusterOk(servers: RedisServerProcess[]): Promise<void> {
  for (let tries = 0; tries < 300; tries += 1) {
    const infos = await Promise.all(servers.map((server) => server.cli('CLUSTER', 'INFO')));
    const ready = infos.every(
      (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${servers.length}`),
    );
    if (ready) return;
    await sleep(100);
  }
  throw new Error('redis cluster did not reach cluster_state:ok');
}
