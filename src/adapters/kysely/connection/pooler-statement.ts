import { createRequire } from 'node:module';
import type { QueryResult as PgResult } from 'pg';
import { pgDriver } from './drivers.js';
import {
  hasShape,
  rowOf,
  shapeOf,
  type FieldDescription,
  type Shape,
  type TypeSource,
} from './pg-statement.js';

/** What of pg's Connection the wrapped statement writes before pg's own Query writes the statement. */
interface WireConnection {
  parse(message: { name: string; text: string }): void;
  bind(message: { statement: string; values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  execute(message: Record<string, never>): void;
}

interface QueryLike {
  queryMode: string | undefined;
  readonly text: string;
  /** pg's Result: the client's type parsers (set by client.query) and the rows handed to the callback. */
  _result: { _types?: TypeSource; rows: unknown[] };
  _canceledDueToError: unknown;
  handleRowDescription(message: { fields: FieldDescription[] }): void;
  handleDataRow(message: { fields: Array<string | null> }): void;
  handleCommandComplete(message: unknown, connection: unknown): void;
  prepare(connection: WireConnection): void;
}

type QueryClass = new (text: string, values: unknown[]) => QueryLike;

/** A statement with its settings in front; `sent` turns true once its messages are written to a connection. */
export interface SettingsStatement extends QueryLike {
  readonly sent: boolean;
  callback?: (error: Error | null, result?: PgResult) => void;
}

type StatementClass = new (settings: string, text: string, values: unknown[]) => SettingsStatement;

const load = createRequire(import.meta.url);
let wrapped: StatementClass | undefined;

/**
 * The columns each statement text returned last time: an unnamed statement is described on every run, and
 * checking that the columns are unchanged costs less than pg building a row template and parsers each time.
 */
const shapes = new Map<string, Shape>();
const MAX_SHAPES = 256;

function shapeFor(text: string, fields: FieldDescription[], types: TypeSource): Shape {
  const known = shapes.get(text);
  if (known !== undefined && hasShape(known, fields, types)) return known;
  const shape = shapeOf(fields, types);
  if (known === undefined && shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value!);
  shapes.set(text, shape);
  return shape;
}

/**
 * pg's Query with the transaction's settings in front of it, in the same exchange: Parse, Bind and Execute of
 * `select set_config(…, true)`, then the statement's Parse, Bind, Describe, Execute, and one Sync. Until that
 * Sync the server runs both in one implicit transaction, so the settings hold for the statement and end
 * with it: one transaction and one ReadyForQuery for the pooler, where `begin; set local …`, the statement
 * and `commit` were three. A subclass of pg's own Query, the only kind a pipelined client accepts.
 */
function wrappedStatementClass(): StatementClass {
  if (wrapped) return wrapped;
  const Query = pgDriver().Query as unknown as QueryClass;
  const { prepareValue } = load('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };
  class WrappedStatement extends Query {
    /** The settings' own row and completion are not the statement's: skipped until they have passed. */
    private settingsPending = true;
    /** Nothing reached the server before this is true: a failure then is safe to retry (markBeforeSend). */
    sent = false;

    constructor(
      private readonly settings: string,
      text: string,
      values: unknown[],
    ) {
      // Text and values, not a config object: pg copies a config object's every property descriptor per query.
      super(text, values);
      this.queryMode = 'extended';
    }

    override prepare(connection: WireConnection): void {
      this.sent = true;
      connection.parse({ name: '', text: this.settings });
      connection.bind({ statement: '', values: [], valueMapper: prepareValue });
      connection.execute({});
      super.prepare(connection);
    }

    /** The statement's columns (the settings' own row is not described); undefined leaves rows to pg. */
    private shape: Shape | undefined;

    override handleRowDescription(message: { fields: FieldDescription[] }): void {
      const types = this._result._types;
      const binary = message.fields.some((field) => field.format === 'binary');
      if (types === undefined || binary) super.handleRowDescription(message);
      else this.shape = shapeFor(this.text, message.fields, types);
    }

    override handleDataRow(message: { fields: Array<string | null> }): void {
      if (this.settingsPending || this._canceledDueToError) return;
      if (this.shape === undefined) return super.handleDataRow(message);
      try {
        this._result.rows.push(rowOf(this.shape, message.fields));
      } catch (error) {
        // As pg's own Query: the error is reported once the exchange has ended.
        this._canceledDueToError = error;
      }
    }

    override handleCommandComplete(message: unknown, connection: unknown): void {
      if (this.settingsPending) this.settingsPending = false;
      else super.handleCommandComplete(message, connection);
    }
  }
  wrapped = WrappedStatement;
  return wrapped;
}

/** `text` with `settings` (a `select set_config(…)` built from checked values), for one exchange. */
export function statementWithSettings(settings: string, text: string, values: unknown[]): SettingsStatement {
  return new (wrappedStatementClass())(settings, text, values);
}

/** Runs `text` with `settings` in one exchange on a checked-out client. */
export function runWithSettings(
  client: { query(query: unknown): unknown },
  settings: string,
  text: string,
  values: unknown[],
): Promise<PgResult> {
  return new Promise((resolve, reject) => {
    const statement = statementWithSettings(settings, text, values);
    statement.callback = (error, result) => (error ? reject(error) : resolve(result!));
    client.query(statement);
  });
}

/**
 * The settings statement for a lone statement on the pooler path, or undefined when there are none. The
 * schema is a checked identifier and the timeout an integer, so nothing here comes from a statement value.
 */
export function settingsStatement(settings: {
  statementTimeoutMs: number;
  schema: string | undefined;
}): string | undefined {
  const calls: string[] = [];
  if (settings.statementTimeoutMs > 0)
    calls.push(`set_config('statement_timeout', '${settings.statementTimeoutMs}', true)`);
  if (settings.schema) calls.push(`set_config('search_path', '${settings.schema}', true)`);
  return calls.length > 0 ? `select ${calls.join(', ')}` : undefined;
}
