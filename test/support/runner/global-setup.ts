import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { OwnPgBouncer, pgbouncerInstalled } from '../servers/pgbouncer.js';
import { markSkippedServices } from './skipped-services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | null;
    redisUrl: string | null;
    /** A PgBouncer of the run's own, transaction mode, in front of databaseUrl's server. */
    pgbouncerUrl: string | null;
  }
}

const required = () => process.env.REQUIRE_SERVICES === '1';

function dockerAvailable(): boolean {
  return existsSync('/var/run/docker.sock') || Boolean(process.env.DOCKER_HOST);
}

type Stoppable = { stop(): Promise<unknown> };
const started: Stoppable[] = [];

/** TEST_DATABASE_URL first; then a testcontainers PostgreSQL when a Docker engine answers; else null. */
async function resolvePostgres(): Promise<string | null> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  if (!dockerAvailable()) return null;
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    started.push(container);
    return container.getConnectionUri();
  } catch (error) {
    console.warn(`[authkeep tests] testcontainers could not start PostgreSQL: ${(error as Error).message}`);
    return null;
  }
}

async function resolveRedis(): Promise<string | null> {
  if (process.env.TEST_REDIS_URL) return process.env.TEST_REDIS_URL;
  if (!dockerAvailable()) return null;
  try {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    started.push(container);
    return container.getConnectionUrl();
  } catch (error) {
    console.warn(`[authkeep tests] testcontainers could not start Redis: ${(error as Error).message}`);
    return null;
  }
}

/** PgBouncer (Debian package `pgbouncer`) in front of the test PostgreSQL, or null when not installed. */
async function startPgBouncer(databaseUrl: string | null): Promise<string | null> {
  if (!databaseUrl || !(await pgbouncerInstalled())) return null;
  const bouncer = await OwnPgBouncer.start(databaseUrl);
  started.push(bouncer);
  return bouncer.url;
}

export async function setup(project: TestProject): Promise<void> {
  const [databaseUrl, redisUrl] = await Promise.all([resolvePostgres(), resolveRedis()]);
  const pgbouncerUrl = await startPgBouncer(databaseUrl);
  const missing = [
    !databaseUrl && 'PostgreSQL (TEST_DATABASE_URL)',
    !redisUrl && 'Redis (TEST_REDIS_URL)',
    databaseUrl && !pgbouncerUrl && 'PgBouncer (Debian package pgbouncer)',
  ].filter(Boolean);
  if (missing.length > 0) {
    const line = `[authkeep tests] ${missing.join(' and ')} not available: their suites are SKIPPED`;
    if (required()) throw new Error(`${line.replace('SKIPPED', 'required')} (REQUIRE_SERVICES=1)`);
    console.warn(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n`);
    markSkippedServices(line); // repeated after the summary by skip-summary-reporter.ts
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('pgbouncerUrl', pgbouncerUrl);
}

export async function teardown(): Promise<void> {
  await Promise.all(started.map((container) => container.stop()));
}
