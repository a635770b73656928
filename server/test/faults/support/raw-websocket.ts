/**
 * A WebSocket client by hand over node:net, for the one role a real client cannot play: a peer
 * that completes the handshake and then stops reading. Bun's WebSocket always reads; a paused
 * net.Socket leaves bytes in the kernel, so the server's writes back up as they would behind a
 * stalled phone. Frames are encoded and decoded here (RFC 6455: client frames masked, server
 * frames not), only as far as this needs: text, close, and ignoring pings.
 */
import net from 'node:net';

/** A masked text frame (a client must mask; a server closes the connection otherwise). */
export function encodeText(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const len = payload.length;
  if (len >= 65_536) throw new Error('frame too long for this encoder');
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 255]);
  const mask = Buffer.from(crypto.getRandomValues(new Uint8Array(4)));
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return Buffer.concat([head, mask, body]);
}

/** What the server sent: its text frames in order, and its close frame if one came. */
export interface Received {
  texts: string[];
  close: { code: number | null; reason: string } | null;
}

/** Decodes the unmasked frames in `buf`; a frame cut short at the end is left out. */
export function decodeFrames(buf: Buffer): Received {
  const out: Received = { texts: [], close: null };
  let at = 0;
  while (at + 2 <= buf.length) {
    const opcode = (buf[at] as number) & 0x0f;
    let len = (buf[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (len === 126) {
      if (start + 2 > buf.length) break;
      len = buf.readUInt16BE(start);
      start += 2;
    } else if (len === 127) {
      if (start + 8 > buf.length) break;
      len = Number(buf.readBigUInt64BE(start));
      start += 8;
    }
    if (start + len > buf.length) break;
    const payload = buf.subarray(start, start + len);
    if (opcode === 0x1) out.texts.push(payload.toString('utf8'));
    if (opcode === 0x8) {
      out.close = { code: len >= 2 ? payload.readUInt16BE(0) : null, reason: payload.subarray(2).toString('utf8') };
    }
    at = start + len;
  }
  return out;
}

/** A hand-made WebSocket connection that can stop reading. */
export class RawWebSocket {
  private readonly chunks: Buffer[] = [];
  /** When the server ended the TCP connection (seen only once reading again), or null. */
  endedAt: number | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.chunks.push(d));
    socket.on('end', () => this.ended());
    socket.on('close', () => this.ended());
    socket.on('error', () => this.ended());
  }

  private ended(): void {
    this.endedAt ??= Date.now();
  }

  /** Opens `ws://host:port/path`, waits for the 101, then keeps whatever follows as frames. */
  static async open(url: string): Promise<RawWebSocket> {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname);
    const raw = new RawWebSocket(socket);
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
    socket.write(
      `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const deadline = Date.now() + 5000;
    while (!raw.bytes().includes('\r\n\r\n')) {
      if (Date.now() > deadline || raw.endedAt !== null) throw new Error(`no WebSocket handshake from ${url}`);
      await Bun.sleep(5);
    }
    const status = raw.bytes().subarray(0, raw.bytes().indexOf('\r\n')).toString();
    if (!status.includes(' 101 ')) throw new Error(`handshake refused: ${status}`);
    return raw;
  }

  private bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks));
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  sendJson(frame: unknown): void {
    this.socket.write(encodeText(JSON.stringify(frame)));
  }

  /** Stops reading: what the server sends from now on piles up in the kernel, then in the server. */
  pause(): void {
    this.socket.pause();
  }

  /** Reads again, until the server ends the connection or `ms` pass; true if it ended it. */
  async drain(ms: number): Promise<boolean> {
    this.socket.resume();
    const deadline = Date.now() + ms;
    while (this.endedAt === null && Date.now() < deadline) await Bun.sleep(20);
    return this.endedAt !== null;
  }

  /** Everything the server sent after the handshake, decoded. */
  received(): Received {
    const all = this.bytes();
    return decodeFrames(all.subarray(all.indexOf('\r\n\r\n') + 4));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
