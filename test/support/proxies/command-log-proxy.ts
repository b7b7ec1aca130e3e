import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of Redis that records every command its clients send (RESP arrays of bulk
 * strings, as ioredis writes them), so a test counts the commands of one operation without MONITOR and
 * without the traffic of anyone else on a shared server.
 */
export class CommandLogProxy {
  /** Every command sent so far, as its arguments (the name upper-cased). */
  readonly commands: string[][] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<CommandLogProxy> {
    const holder: { proxy?: CommandLogProxy } = {};
    const server = createServer((client) => holder.proxy?.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new CommandLogProxy(server, (server.address() as { port: number }).port);
    return holder.proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The commands sent from now on while `work` runs, leaving out those `ignore` matches. */
  async during(work: () => Promise<unknown>, ignore: (command: string[]) => boolean): Promise<string[][]> {
    const from = this.commands.length;
    await work();
    return this.commands.slice(from).filter((command) => !ignore(command));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const parser = new RespCommands((command) => this.commands.push(command));
    client.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}

/** Splits a client's byte stream into commands: `*<n>\r\n` then n times `$<len>\r\n<bytes>\r\n`. */
class RespCommands {
  private buffer = Buffer.alloc(0);

  constructor(private readonly emit: (command: string[]) => void) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = this.next();
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.end);
      this.emit(parsed.command);
    }
  }

  private next(): { command: string[]; end: number } | undefined {
    const head = this.line(0);
    if (!head) return undefined;
    if (!head.text.startsWith('*')) throw new Error(`not a RESP array: ${head.text.slice(0, 20)}`);
    const count = Number(head.text.slice(1));
    const command: string[] = [];
    let at = head.end;
    for (let i = 0; i < count; i += 1) {
      const size = this.line(at);
      if (!size) return undefined;
      const length = Number(size.text.slice(1));
      if (this.buffer.length < size.end + length + 2) return undefined;
      command.push(this.buffer.toString('utf8', size.end, size.end + length));
      at = size.end + length + 2;
    }
    command[0] = command[0]?.toUpperCase() ?? '';
    return { command, end: at };
  }

  private line(at: number): { text: string; end: number } | undefined {
    const cr = this.buffer.indexOf('\r\n', at);
    return cr < 0 ? undefined : { text: this.buffer.toString('latin1', at, cr), end: cr + 2 };
  }
}
