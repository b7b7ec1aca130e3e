import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server on a spare loopback port that accepts every connection and never sends a byte: what a
 * hung database or a half-dead network path looks like to a client. close() drops the held sockets.
 */
export class BlackHole {
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async open(): Promise<BlackHole> {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    return new BlackHole(server, port);
  }

  /** Connections accepted so far and still open. */
  get held(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
