import { createServer, connect, type Server, type Socket } from 'node:net';

/** Client → server ('up'), server → client ('down'), or both. */
export type Direction = 'up' | 'down' | 'both';

interface Link {
  client: Socket;
  upstream: Socket;
}

/**
 * A loopback TCP proxy for fault tests. Per direction it can pass, delay every chunk, or go silent: accept
 * and keep every connection open, forward nothing and never close (bytes queue and are delivered, in order,
 * once the direction passes again, as TCP retransmission would after a partition heals). It can cut every
 * connection, and retarget: point new connections and the server side of open ones at another server while
 * the client's connection stays open, as an L7 proxy or managed endpoint does on failover.
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private readonly delayMs = { up: 0, down: 0 };
  private readonly held: { up?: (() => void)[]; down?: (() => void)[] } = {};

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private targetPort: number,
    private readonly targetHost: string,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const accepted: { proxy?: TcpProxy } = {};
    const server = createServer((client) => accepted.proxy?.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    accepted.proxy = new TcpProxy(
      server,
      (server.address() as { port: number }).port,
      targetPort,
      targetHost,
    );
    return accepted.proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Connections open right now. */
  get open(): number {
    return this.links.size;
  }

  /** The local ports of the proxy's connections to the server (a server sees them as the clients' ports). */
  upstreamPorts(): number[] {
    return [...this.links].map((link) => link.upstream.localPort).filter((port) => port !== undefined);
  }

  /** Every chunk in `direction` waits this long before it is passed on (0 = none). */
  delay(ms: number, direction: Direction = 'both'): void {
    for (const side of sides(direction)) this.delayMs[side] = ms;
  }

  /** Forwards nothing in `direction` (connections stay open, new ones are accepted) until pass(). */
  silent(direction: Direction = 'both'): void {
    for (const side of sides(direction)) this.held[side] ??= [];
  }

  /** Forwards again in `direction`, first what was held, in order. */
  pass(direction: Direction = 'both'): void {
    for (const side of sides(direction)) {
      const held = this.held[side] ?? [];
      this.held[side] = undefined;
      for (const send of held) send();
    }
  }

  /** Kept for older tests: silent() / pass() in both directions. */
  hold(): void {
    this.silent('both');
  }

  release(): void {
    this.pass('both');
  }

  /** Destroys every open connection (new ones are still accepted). */
  cut(): void {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    this.links.clear();
  }

  /**
   * Sends new connections to `port`, and swaps the server side of every open one to it while the client's
   * socket stays open (what the client sent and was not yet forwarded goes to the new server).
   */
  retarget(port: number): void {
    this.targetPort = port;
    for (const link of this.links) {
      const old = link.upstream;
      old.removeAllListeners('close');
      old.destroy();
      this.attachUpstream(link);
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    const link: Link = { client, upstream: undefined as unknown as Socket };
    this.links.add(link);
    client.on('error', () => undefined);
    client.on('close', () => {
      this.links.delete(link);
      link.upstream.destroy();
    });
    // One listener for the client's bytes, whichever upstream is current when they are forwarded.
    this.pipe(client, () => link.upstream, 'up');
    this.attachUpstream(link);
  }

  private attachUpstream(link: Link): void {
    const upstream = connect(this.targetPort, this.targetHost);
    link.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', () => {
      if (link.upstream !== upstream) return;
      this.links.delete(link);
      link.client.destroy();
    });
    this.pipe(upstream, () => link.client, 'down');
  }

  private pipe(from: Socket, to: () => Socket, side: 'up' | 'down'): void {
    from.on('data', (chunk: Buffer) => {
      const send = () => {
        const target = to();
        if (!target.destroyed) target.write(chunk);
      };
      const forward = () => {
        const held = this.held[side];
        if (held) held.push(send);
        else send();
      };
      if (this.delayMs[side] > 0) setTimeout(forward, this.delayMs[side]);
      else forward();
    });
  }
}

function sides(direction: Direction): ('up' | 'down')[] {
  return direction === 'both' ? ['up', 'down'] : [direction];
}
