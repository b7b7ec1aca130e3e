import type { Client } from 'pg';
import { ConfigError, UnavailableError } from '../../domain/errors.js';
import type { Invalidation, InvalidationBus, InvalidationListener } from '../../ports/invalidation-bus.js';
import type { Logger } from '../../ports/system.js';
import { chunkInvalidation, decodeInvalidation, encodeInvalidation } from './bus-messages.js';
import { pgModule } from './pg-module.js';

export interface PgNotifyBusOptions {
  /** A direct connection (not through a transaction pooler: LISTEN is session state). */
  url: string;
  /** Channel name: lower-case letters, digits and underscores (one per schema, as NOTIFY is database-wide). */
  channel: string;
  logger: Logger;
}

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD_BYTES = 7_000;
const QUERY_TIMEOUT_MS = 2_000;

/**
 * The invalidation bus on PostgreSQL LISTEN/NOTIFY: one dedicated pg.Client per process listens and also
 * sends NOTIFY (reconnecting with backoff). Used when there is no Redis.
 */
export class PgNotifyBus implements InvalidationBus {
  private readonly url: string;
  private readonly channel: string;
  private readonly logger: Logger;
  private client: Client | undefined;
  private listener: InvalidationListener | undefined;
  private subscribed = false;
  private closed = false;
  private attempt = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(options: PgNotifyBusOptions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel)) {
      throw new ConfigError('bus channel must be a lower-case identifier');
    }
    this.url = options.url;
    this.channel = options.channel;
    this.logger = options.logger;
  }

  get live(): boolean {
    return this.subscribed;
  }

  start(listener: InvalidationListener): void {
    if (this.listener) return;
    this.listener = listener;
    void this.listen();
  }

  async publish(message: Invalidation): Promise<void> {
    const client = this.subscribed ? this.client : undefined;
    if (!client) throw new UnavailableError('invalidation bus is not connected');
    for (const chunk of chunkInvalidation(message, MAX_PAYLOAD_BYTES)) {
      await this.serially(client, 'SELECT pg_notify($1, $2)', [this.channel, encodeInvalidation(chunk)]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribed = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const { Client } = pgModule();
    // Named after its channel, so an operator (or a test) can find this connection in pg_stat_activity.
    const client = new Client({
      connectionString: this.url,
      keepAlive: true,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: this.channel,
    });
    this.client = client;
    let gone = false;
    const lost = () => {
      if (gone) return;
      gone = true;
      client.end().catch(() => undefined);
      if (this.subscribed) {
        this.subscribed = false;
        this.listener?.down();
      }
      this.retry();
    };
    client.on('error', (error: Error) => {
      this.logger.debug({ err: error.message }, 'pg bus connection error');
      lost();
    });
    client.on('end', lost);
    client.on('notification', (note: { channel: string; payload?: string }) => {
      if (note.channel === this.channel) this.listener?.invalidated(decodeInvalidation(note.payload ?? ''));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch {
      lost();
      return;
    }
    if (gone || this.closed) return;
    this.attempt = 0;
    this.subscribed = true;
    this.listener?.up();
  }

  /** One query at a time on the bus connection (pg queues them, but concurrent calls are deprecated). */
  private serially(client: Client, text: string, values: string[]): Promise<unknown> {
    const run = this.tail.then(() => client.query(text, values));
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private retry(): void {
    if (this.closed) return;
    this.attempt += 1;
    const delay = Math.min(100 * 2 ** Math.min(this.attempt, 5), 2_000);
    setTimeout(() => void this.listen(), delay).unref();
  }
}
