import type { Client } from 'pg';
import { ConfigError, UnavailableError } from '../../../domain/errors.js';
import type { Invalidation, InvalidationBus, InvalidationListener } from '../../../ports/invalidation-bus.js';
import type { Logger } from '../../../ports/system.js';
import { chunkInvalidation, decodeInvalidation, encodeInvalidation } from './bus-messages.js';
import { InvalidationBatches } from './invalidation-batches.js';
import { pgModule } from './pg-module.js';

/** Sends one NOTIFY on the application's own connections (pg_notify, committed when it resolves). */
export type PgNotifier = (channel: string, payload: string) => Promise<void>;

export interface PgNotifyBusOptions {
  /** A direct connection (not through a transaction pooler: LISTEN is session state). */
  url: string;
  /** Channel name: lower-case letters, digits and underscores (one per schema, as NOTIFY is database-wide). */
  channel: string;
  logger: Logger;
  /**
   * Publishes through the application's pool, so no separate (possibly silent) connection stands between a
   * committed revocation and its message. Without it, NOTIFY goes over the LISTEN connection.
   */
  notify?: PgNotifier | undefined;
  /** How long opening and subscribing the LISTEN connection may take before it is dropped and retried (default 2 s). */
  connectTimeoutMs?: number;
}

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD_BYTES = 7_000;
const QUERY_TIMEOUT_MS = 2_000;
/** TCP keepalive probes start after this much idle time, so a vanished peer is noticed by the kernel too. */
const KEEPALIVE_DELAY_MS = 1_000;

/**
 * The invalidation bus on PostgreSQL LISTEN/NOTIFY: one dedicated pg.Client per process listens (with a
 * connect deadline, TCP keepalive and reconnection with backoff); messages are sent with pg_notify through the
 * application's pool, and delivered to every listener in commit order.
 */
export class PgNotifyBus implements InvalidationBus {
  private readonly url: string;
  private readonly channel: string;
  private readonly logger: Logger;
  private readonly notifier: PgNotifier | undefined;
  private readonly connectTimeoutMs: number;
  private client: Client | undefined;
  private drop: (() => void) | undefined;
  private listener: InvalidationListener | undefined;
  private subscribed = false;
  private closed = false;
  private attempt = 0;
  /**
   * Revocations published while one is in flight go together in the next NOTIFY (heartbeats go alone). Not in
   * the write's own transaction: a notifying commit holds PostgreSQL's cluster-wide notify lock (async.c).
   */
  private readonly batches = new InvalidationBatches((message) => this.send(message));

  constructor(options: PgNotifyBusOptions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel)) {
      throw new ConfigError('bus channel must be a lower-case identifier');
    }
    this.url = options.url;
    this.channel = options.channel;
    this.logger = options.logger;
    this.notifier = options.notify;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  }

  get live(): boolean {
    return this.subscribed;
  }

  start(listener: InvalidationListener): void {
    if (this.listener) return;
    this.listener = listener;
    void this.listen();
  }

  publish(message: Invalidation): Promise<void> {
    return 'ping' in message ? this.send(message) : this.batches.publish(message);
  }

  private async send(message: Invalidation): Promise<void> {
    const payloads = chunkInvalidation(message, MAX_PAYLOAD_BYTES).map(encodeInvalidation);
    if (this.notifier) {
      const notify = this.notifier;
      await Promise.all(payloads.map((payload) => notify(this.channel, payload)));
      return;
    }
    // Without the pool, over the LISTEN connection: one statement at a time (pg 8 deprecates overlapping ones).
    const client = this.subscribed ? this.client : undefined;
    if (!client) throw new UnavailableError('invalidation bus is not connected');
    for (const payload of payloads) await client.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
  }

  reconnect(): void {
    this.drop?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribed = false;
    this.drop?.();
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const { Client } = pgModule();
    // Named after its channel, so an operator (or a test) can find this connection in pg_stat_activity.
    const client = new Client({
      connectionString: this.url,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: this.connectTimeoutMs,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: this.channel,
    });
    this.client = client;
    let gone = false;
    const lost = () => {
      if (gone) return;
      gone = true;
      if (this.client === client) {
        this.client = undefined;
        this.drop = undefined;
      }
      destroy(client);
      if (this.subscribed) {
        this.subscribed = false;
        this.listener?.down();
      }
      this.retry();
    };
    this.drop = lost;
    client.on('error', (error: Error) => {
      this.logger.debug({ err: error.message }, 'pg bus connection error');
      lost();
    });
    client.on('end', lost);
    client.on('notification', (note: { channel: string; payload?: string }) => {
      if (note.channel === this.channel) this.listener?.invalidated(decodeInvalidation(note.payload ?? ''));
    });
    // The LISTEN too has a deadline: a connection that opened and then went silent is dropped and retried.
    const deadline = setTimeout(lost, this.connectTimeoutMs + QUERY_TIMEOUT_MS);
    deadline.unref();
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch {
      lost();
      return;
    } finally {
      clearTimeout(deadline);
    }
    if (gone || this.closed) return;
    this.attempt = 0;
    this.subscribed = true;
    this.listener?.up();
  }

  private retry(): void {
    if (this.closed) return;
    this.attempt += 1;
    const delay = Math.min(50 * 2 ** Math.min(this.attempt, 5), 1_000);
    setTimeout(() => void this.listen(), delay).unref();
  }
}

/** Closes the socket at once: end() waits for the server's goodbye, which a silent path never sends. */
function destroy(client: Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  client.end().catch(() => undefined);
  stream?.destroy();
}
