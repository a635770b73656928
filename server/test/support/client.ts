/** A protocol client for tests: records every frame and lets a test await the next one of a type. */
import type { ServerFrame } from '../../src/protocol.ts';

type Frame = ServerFrame & Record<string, unknown>;
type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

export class TestClient {
  readonly frames: Frame[] = [];
  private cursor = 0;
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener('message', (e) => {
      this.frames.push(JSON.parse(String(e.data)) as Frame);
      this.wake();
    });
    ws.addEventListener('close', (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  /** Opens a socket; `headers` (Bun's extension of WebSocket) carry a Cookie or X-Forwarded-For. */
  static async connect(url: string, headers?: Record<string, string>): Promise<TestClient> {
    const ws = headers ? new WebSocket(url, { headers } as unknown as string[]) : new WebSocket(url);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return client;
  }

  /** Connects and consumes `hello` and the first `stats`. */
  static async hello(
    url: string,
    headers?: Record<string, string>,
  ): Promise<TestClient & { userId: string; resumeToken: string }> {
    const c = await TestClient.connect(url, headers);
    const hello = await c.next('hello');
    await c.next('stats');
    return Object.assign(c, { userId: hello.userId, resumeToken: hello.resumeToken });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame (of `type`, skipping `stats` and `pong` unless asked for), in arrival order. */
  async next<T extends ServerFrame['type']>(type?: T, timeoutMs = 5000): Promise<Of<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const f = this.frames[this.cursor++] as Frame;
        if (type === undefined && (f.type === 'stats' || f.type === 'pong')) continue;
        if (type !== undefined && f.type !== type) {
          if (f.type === 'stats' || f.type === 'pong') continue;
          throw new Error(`expected "${type}" but got ${JSON.stringify(f)}`);
        }
        return f as unknown as Of<T>;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for ${type ?? 'a frame'}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type ?? 'a frame'}; got ${JSON.stringify(this.frames)}`);
      await this.sleep(left);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Skips frames (stats and pong included) until one of `type` arrives. */
  async until<T extends ServerFrame['type']>(type: T, timeoutMs = 5000): Promise<Of<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const f = this.frames[this.cursor++] as Frame;
        if (f.type === type) return f as unknown as Of<T>;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type}; got ${JSON.stringify(this.frames)}`);
      await this.sleep(left);
    }
  }

  /** Asserts nothing but stats/pong arrives for `ms`. */
  async quiet(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    const rest = this.frames.slice(this.cursor).filter((f) => f.type !== 'stats' && f.type !== 'pong');
    if (rest.length > 0) throw new Error(`expected no frames, got ${JSON.stringify(rest)}`);
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (!this.closed) throw new Error('socket did not close');
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/**
 * Queues `x` then `y` for text chat and returns the session the two were paired in; throws if
 * they were told of different sessions.
 */
export async function pairText(x: TestClient, y: TestClient): Promise<string> {
  x.send({ type: 'enqueue', mode: 'text' });
  await x.next('waiting');
  y.send({ type: 'enqueue', mode: 'text' });
  await y.next('waiting');
  const sid = (await x.next('matched')).sessionId;
  const theirs = (await y.next('matched')).sessionId;
  if (theirs !== sid) throw new Error(`paired in different sessions: ${sid} and ${theirs}`);
  return sid;
}

/** A client past its hello, with the identity it was given. */
export type HelloClient = Awaited<ReturnType<typeof TestClient.hello>>;

/**
 * Opens clients past their hello (at `url`, or the one given) and keeps each in `clients`, so a
 * test can close them all at its end whatever happened.
 */
export function opener(url?: string): { clients: HelloClient[]; open: (to?: string) => Promise<HelloClient> } {
  const clients: HelloClient[] = [];
  const open = async (to = url) => {
    if (!to) throw new Error('open: no URL to connect to');
    const c = await TestClient.hello(to);
    clients.push(c);
    return c;
  };
  return { clients, open };
}
