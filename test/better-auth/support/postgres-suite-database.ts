import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../../support/postgres.js';
import type { SuiteDatabase } from './adapter-suite.js';

/** A fresh schema on the test server (null without TEST_DATABASE_URL), emptied table by table. */
export async function postgresSuiteDatabase(
  label: string,
  url: string | null = databaseUrl(),
  extra: { pooler?: 'transaction' } = {},
): Promise<SuiteDatabase | null> {
  const direct = databaseUrl();
  if (!url || !direct) return null;
  const schema = freshSchemaName(label);
  await withClient(direct, undefined, (client) => client.query(`create schema "${schema}"`));
  return {
    adapterOptions: { database: url, schema, ...extra },
    async dropTables() {
      await withClient(direct, schema, async (client) => {
        const { rows } = await client.query<{ name: string }>(
          `select tablename as name from pg_tables where schemaname = $1`,
          [schema],
        );
        if (rows.length === 0) return;
        await client.query(`drop table ${rows.map((r) => `"${schema}"."${r.name}"`).join(', ')} cascade`);
      });
    },
    close: () => dropSchema(direct, schema),
  };
}
