import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy for fault tests: forwards to `target`, and can delay every chunk in both directions,
 * hold traffic (a black hole: bytes queue, nothing is lost), or cut every connection.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private delayMs = 0;
  private held: (() => void)[] | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const accepted: { proxy?: TcpProxy } = {};
    const server = createServer((client) => accepted.proxy?.accept(client, targetPort, targetHost));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    accepted.proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return accepted.proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Every chunk waits this long before it is passed on (0 = none). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Stops passing bytes on until release(); they are delivered then, in order. */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const send of held) send();
  }

  /** Destroys every open connection (new ones are still accepted). */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, port: number, host: string): void {
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  private pipe(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      const send = () => {
        if (!to.destroyed) to.write(chunk);
      };
      const forward = () => (this.held ? this.held.push(send) : send());
      if (this.delayMs > 0) setTimeout(forward, this.delayMs);
      else forward();
    });
  }
}
