/**
 * Starts a real livekit-server for a test, on free ports, with its webhook pointed at a URL the
 * test chooses (usually a matching server started afterwards on a port picked beforehand).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.ts';

export const LIVEKIT_KEY = 'testkey';
/** At least 32 characters, or livekit-server complains outside dev mode. */
export const LIVEKIT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface RunningLiveKit {
  /** ws://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port> */
  httpUrl: string;
  /** The UDP and TCP ports media flows through: the only ports a browser's ICE should reach. */
  rtcPorts: { udp: number; tcp: number };
  env: Record<string, string>;
  output(): string;
  stop(): Promise<void>;
}

/** Finds the livekit-server binary: on PATH or where `go install` put it. */
export function livekitBinary(): string | null {
  const onPath = Bun.which('livekit-server');
  if (onPath) return onPath;
  const go = Bun.which('go');
  if (!go) return null;
  const gopath = spawnSync(go, ['env', 'GOPATH'], { encoding: 'utf8' }).stdout.trim();
  const bin = join(gopath, 'bin', 'livekit-server');
  return existsSync(bin) ? bin : null;
}

async function freeUdpPort(): Promise<number> {
  const s = await Bun.udpSocket({ hostname: '127.0.0.1', port: 0 });
  const port = s.port;
  s.close();
  return port;
}

/** Starts livekit-server and waits until it answers HTTP. */
export async function startLiveKit(opts: { webhookUrl?: string } = {}): Promise<RunningLiveKit> {
  const bin = livekitBinary();
  if (!bin) throw new Error('livekit-server is not installed: run `node scripts/setup.mjs test`');
  const [port, tcp, udp] = [await freePort(), await freePort(), await freeUdpPort()];
  const dir = mkdtempSync(join(tmpdir(), 'serendip-lk-'));
  const config = join(dir, 'livekit.yaml');
  const lines = [
    `port: ${port}`,
    'bind_addresses: ["127.0.0.1"]',
    'rtc:',
    `  tcp_port: ${tcp}`,
    `  udp_port: ${udp}`,
    '  use_external_ip: false',
    'keys:',
    `  ${LIVEKIT_KEY}: ${LIVEKIT_SECRET}`,
    'logging:',
    '  level: warn',
  ];
  if (opts.webhookUrl) lines.push('webhook:', `  api_key: ${LIVEKIT_KEY}`, '  urls:', `    - ${opts.webhookUrl}`);
  writeFileSync(config, `${lines.join('\n')}\n`);
  let out = '';
  const proc = Bun.spawn([bin, '--config', config], { stdout: 'pipe', stderr: 'pipe' });
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out += decoder.decode(value, { stream: true });
    }
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  const httpUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`livekit-server exited with ${proc.exitCode}:\n${out}`);
    try {
      if ((await fetch(httpUrl)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`livekit-server did not start:\n${out}`);
    await Bun.sleep(100);
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    httpUrl,
    rtcPorts: { udp, tcp },
    env: { LIVEKIT_URL: `ws://127.0.0.1:${port}`, LIVEKIT_API_KEY: LIVEKIT_KEY, LIVEKIT_API_SECRET: LIVEKIT_SECRET },
    output: () => out,
    async stop() {
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await proc.exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A participant's signalling connection only (no WebRTC): enough to create a room and take a place in it. */
export interface SignalJoin {
  /** True when LiveKit answered with a join response; false when it refused the participant. */
  joined: boolean;
  ws: WebSocket;
  /** Resolves when LiveKit (or we) closed the signalling socket. */
  closed: Promise<void>;
}

export function joinSignal(url: string, token: string): Promise<SignalJoin> {
  const ws = new WebSocket(`${url}/rtc?access_token=${token}&protocol=16&sdk=js&auto_subscribe=1`);
  ws.binaryType = 'arraybuffer';
  const closed = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve(), { once: true }));
  return new Promise((resolve) => {
    ws.addEventListener('message', () => resolve({ joined: true, ws, closed }), { once: true });
    ws.addEventListener('error', () => resolve({ joined: false, ws, closed }), { once: true });
    ws.addEventListener('close', () => resolve({ joined: false, ws, closed }), { once: true });
  });
}
