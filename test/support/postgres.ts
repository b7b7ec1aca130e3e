import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export function databaseUrl(): string | null {
  return inject('databaseUrl');
}

export function redisUrl(): string | null {
  return inject('redisUrl');
}

/** The run's PgBouncer (transaction pooling) in front of databaseUrl()'s server, or null. */
export function pgbouncerUrl(): string | null {
  return inject('pgbouncerUrl');
}

/** A fresh schema name, so each test file works apart and leaves nothing behind. */
export function freshSchemaName(label: string): string {
  return `t_${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(5).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** Runs SQL against a schema with a throwaway client (fixtures, dumps and checks). */
export async function withClient<T>(
  url: string,
  schema: string | undefined,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Whether a schema exists (checked with a client of its own, so the code under test is not asked). */
export async function schemaPresent(url: string, schema: string): Promise<boolean> {
  return withClient(url, undefined, async (client) => {
    const { rows } = await client.query('select 1 from information_schema.schemata where schema_name = $1', [
      schema,
    ]);
    return rows.length > 0;
  });
}
