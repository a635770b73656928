/**
 * A TCP proxy between a server and a backing service, to take the service away and give it back
 * without touching the real one (PostgreSQL is shared by every test on this machine). `cut()`
 * closes every piped connection and turns new ones away at once, as a service that went down
 * does; `restore()` pipes again.
 */
import type { Socket, TCPSocketListener } from 'bun';

/** Bytes one side could not take yet: written out on `drain`, in order. */
class Outgoing {
  private readonly queue: Uint8Array[] = [];
  socket: { write(data: Uint8Array): number } | null = null;

  write(chunk: Uint8Array): void {
    // Bun may reuse the buffer it handed to `data`, so anything kept is copied (Buffer's own
    // slice() would be a view).
    if (!this.socket || this.queue.length > 0) {
      this.queue.push(new Uint8Array(chunk));
      return;
    }
    const n = this.socket.write(chunk);
    if (n < chunk.length) this.queue.push(new Uint8Array(chunk.subarray(n)));
  }

  drain(): void {
    while (this.socket && this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      const n = this.socket.write(head);
      if (n < head.length) {
        this.queue[0] = head.subarray(n);
        return;
      }
      this.queue.shift();
    }
  }
}

/** One piped connection: what goes to the client and what goes to the service. */
interface Link {
  toClient: Outgoing;
  toService: Outgoing;
  client: Socket<Link>;
  service: Socket<Link> | null;
  closed: boolean;
}

export interface TcpProxy {
  port: number;
  /** Connections piped since the start (a check that traffic really goes through the proxy). */
  readonly accepted: number;
  cut(): void;
  restore(): void;
  stop(): void;
}

/**
 * Listens on a free port of 127.0.0.1 and pipes each connection to `target`. While cut, nothing
 * listens on the port, so a connect is refused (ECONNREFUSED) as it is when PostgreSQL is down;
 * accepting and closing at once would instead leave postgres.js waiting for its connect timeout.
 */
export function startProxy(target: { hostname: string; port: number }): TcpProxy {
  const links = new Set<Link>();
  let accepted = 0;
  const close = (link: Link) => {
    if (link.closed) return; // each end's own close handler comes back here
    link.closed = true;
    links.delete(link);
    link.client.end();
    link.service?.end();
  };
  const pipeTo = (link: Link) =>
    Bun.connect<Link>({
      ...target,
      data: link,
      socket: {
        open(service) {
          if (link.closed) {
            service.end(); // cut while it was connecting
            return;
          }
          link.service = service;
          link.toService.socket = service;
          link.toService.drain();
        },
        data: (_s, chunk) => link.toClient.write(chunk),
        drain: () => link.toService.drain(),
        close: () => close(link),
        error: () => close(link),
      },
    }).catch(() => close(link)); // the service itself refused: so does the proxy
  const listen = (port: number): TCPSocketListener<Link> =>
    Bun.listen<Link>({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(client) {
          accepted += 1;
          const link: Link = {
            toClient: new Outgoing(),
            toService: new Outgoing(),
            client,
            service: null,
            closed: false,
          };
          link.toClient.socket = client;
          client.data = link;
          links.add(link);
          void pipeTo(link);
        },
        data: (client, chunk) => client.data.toService.write(chunk),
        drain: (client) => client.data.toClient.drain(),
        close: (client) => close(client.data),
        error: (client) => close(client.data),
      },
    });
  let listener: TCPSocketListener<Link> | null = listen(0);
  const port = listener.port;
  return {
    port,
    get accepted() {
      return accepted;
    },
    cut() {
      listener?.stop(true);
      listener = null;
      for (const link of [...links]) close(link);
    },
    restore() {
      listener ??= listen(port);
    },
    stop() {
      this.cut();
    },
  };
}
