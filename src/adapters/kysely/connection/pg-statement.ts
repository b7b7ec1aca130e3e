import { createRequire } from 'node:module';
import type { QueryResult as PgResult } from 'pg';

/** What of pg's Connection a statement writes to (pg's own Query uses the same calls). */
interface WireConnection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(message: { name: string; text: string }): void;
  bind(message: { statement: string; values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: Record<string, never>): void;
  close(message: { type: 'S'; name: string }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

export interface TypeSource {
  getTypeParser(oid: number, format: string): (text: string) => unknown;
}

export interface FieldDescription {
  name: string;
  dataTypeID: number;
  format?: string;
}

/** The columns a statement returns, with their value parsers (from the types they were looked up in). */
export interface Shape {
  names: string[];
  oids: number[];
  parsers: Array<(text: string) => unknown>;
  types: TypeSource | undefined;
}

/** A RowDescription's columns with their parsers looked up once. */
export function shapeOf(fields: FieldDescription[], types: TypeSource): Shape {
  return {
    names: fields.map((field) => field.name),
    oids: fields.map((field) => field.dataTypeID),
    parsers: fields.map((field) => types.getTypeParser(field.dataTypeID, field.format ?? 'text')),
    types,
  };
}

/** Whether a RowDescription has exactly `shape`'s columns (names, types, text format) under the same parsers. */
export function hasShape(shape: Shape, fields: FieldDescription[], types: TypeSource): boolean {
  if (shape.types !== types || shape.names.length !== fields.length) return false;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.name !== shape.names[i] || field.dataTypeID !== shape.oids[i]) return false;
    if (field.format !== undefined && field.format !== 'text') return false;
  }
  return true;
}

/** One DataRow as an object keyed by column name, like pg's own rows (throws what a parser throws). */
export function rowOf(shape: Shape, fields: Array<string | null>): Record<string, unknown> {
  const { names, parsers } = shape;
  const row: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const value = fields[i];
    row[names[i]!] = value === null || value === undefined ? null : parsers[i]!(value);
  }
  return row;
}

/**
 * Shapes by server connection, then statement name. A prepared statement's result columns are fixed for
 * its life on that connection (PostgreSQL refuses a re-plan that changes them: 0A000), so after the first
 * execution the statement is run without Describe and the server sends no RowDescription.
 */
const shapes = new WeakMap<WireConnection, Map<string, Shape>>();

const NO_COLUMNS: Shape = { names: [], oids: [], parsers: [], types: undefined };

const load = createRequire(import.meta.url);
let prepareValue: ((value: unknown) => unknown) | undefined;

/** pg's own mapping of JS values to parameters (Dates, arrays, Buffers, JSON), loaded with pg. */
function valueMapper(): (value: unknown) => unknown {
  return (prepareValue ??= (load('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown })
    .prepareValue);
}

/**
 * One execution of a named prepared statement, handed to pg's `client.query` as a custom query: Parse
 * and Describe go out only the first time on a connection, later executions are Bind, Execute and Sync.
 * Rows come back as objects keyed by column name, like pg's own; `command` and `rowCount` as pg reports them.
 */
export class NamedStatement {
  /** Set by pg (client.query's callback, wrapped by its read timeout). */
  callback: ((error: Error | null, result?: PgResult) => void) | undefined = undefined;
  /** pg fills `_types` with the client's type parsers (the pool's `types` option, else the global ones). */
  readonly _result: { _types: TypeSource | undefined } = { _types: undefined };
  private shape: Shape | undefined;
  private described = false;
  private readonly rows: Record<string, unknown>[] = [];
  private command = '';
  private rowCount: number | null = null;
  private failure: Error | undefined;
  /** The connection a Describe went out on: its answer becomes the statement's shape there. */
  private connection: WireConnection | undefined;

  constructor(
    readonly name: string,
    readonly text: string,
    private readonly values: unknown[],
  ) {}

  submit(connection: WireConnection): Error | null {
    const parsed =
      connection.parsedStatements[this.name] !== undefined ||
      connection.submittedNamedStatements[this.name] !== undefined;
    this.shape = parsed ? shapes.get(connection)?.get(this.name) : undefined;
    connection.stream.cork?.();
    try {
      if (!parsed) {
        connection.parse({ name: this.name, text: this.text });
        connection.submittedNamedStatements[this.name] = this.text;
      }
      try {
        connection.bind({ statement: this.name, values: this.values, valueMapper: valueMapper() });
      } catch (error) {
        // A value pg cannot send: close what was parsed and end the exchange, as pg's own Query does.
        connection.close({ type: 'S', name: this.name });
        connection.sync();
        this.handleError(error as Error);
        return null;
      }
      if (this.shape === undefined) {
        this.described = true;
        connection.describe({ type: 'P', name: '' });
      }
      connection.execute({});
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    if (this.described) this.connection = connection;
    return null;
  }

  handleRowDescription(message: { fields: FieldDescription[] }): void {
    const types = this._result._types;
    if (types === undefined) throw new Error('pg did not hand the statement its type parsers');
    this.shape = shapeOf(message.fields, types);
  }

  handleDataRow(message: { fields: Array<string | null> }): void {
    if (this.failure) return;
    const shape = this.shape;
    if (shape === undefined) {
      this.failure = new Error('a row arrived for a statement whose columns are unknown');
      return;
    }
    try {
      this.rows.push(rowOf(shape, message.fields));
    } catch (error) {
      this.failure = error as Error;
    }
  }

  handleCommandComplete(message: { text: string }): void {
    const text = message.text;
    const space = text.indexOf(' ');
    this.command = space < 0 ? text : text.slice(0, space);
    const last = text.lastIndexOf(' ');
    if (last > 0) this.rowCount = Number(text.slice(last + 1));
  }

  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail('No source stream defined');
  }

  handleCopyData(): void {}

  handleError(error: Error): void {
    this.callback?.(error);
  }

  handleReadyForQuery(): void {
    if (this.failure) {
      this.callback?.(this.failure);
      return;
    }
    const connection = this.connection;
    if (connection !== undefined) {
      // Describe answered with RowDescription, or NoData (a statement without rows): either is its shape.
      let known = shapes.get(connection);
      if (known === undefined) shapes.set(connection, (known = new Map()));
      known.set(this.name, this.shape ?? NO_COLUMNS);
    }
    this.callback?.(null, {
      command: this.command,
      rowCount: this.rowCount,
      rows: this.rows,
      fields: [],
      oid: 0,
    } as unknown as PgResult);
  }
}
