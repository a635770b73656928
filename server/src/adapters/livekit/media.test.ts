import { describe, expect, test } from 'bun:test';
import { LiveKitMedia } from './media.ts';
import type { RoomApi } from './rooms.ts';

const config = {
  url: 'ws://lk.internal:7880',
  apiKey: 'k',
  apiSecret: 'secret-secret-secret-secret-secret',
  publicUrl: 'wss://media.example',
};

function fakeRooms() {
  const state = { up: true, deleted: [] as string[], deleteFails: false };
  const rooms: RoomApi = {
    async ping() {
      if (!state.up) throw new Error('connect ECONNREFUSED');
    },
    async deleteRoom(room) {
      if (state.deleteFails) throw new Error('boom');
      state.deleted.push(room);
    },
  };
  return { rooms, state };
}

function quietLog() {
  const lines: string[] = [];
  return {
    lines,
    log: { info: (_: object, m: string) => lines.push(m), warn: (_: object, m: string) => lines.push(m) },
  };
}

describe('LiveKitMedia', () => {
  test('is unavailable and grants nothing until LiveKit has answered a probe', async () => {
    const { rooms } = fakeRooms();
    const media = new LiveKitMedia({ config, rooms, log: quietLog().log });
    expect(media.available()).toBe(false);
    expect(media.grant('s1', 'u1')).toBeNull();
    await media.check();
    expect(media.available()).toBe(true);
  });

  test('grants a token for the session room, addressed to the public URL', async () => {
    const { rooms } = fakeRooms();
    const media = new LiveKitMedia({ config, rooms, log: quietLog().log, now: () => 1_800_000_000_000 });
    await media.check();
    const grant = media.grant('s_abc', 'u_bob');
    expect(grant?.room).toBe('s_abc');
    expect(grant?.url).toBe('wss://media.example');
    const decoded = JSON.parse(Buffer.from(grant?.token.split('.')[1] ?? '', 'base64url').toString());
    expect(decoded).toMatchObject({ sub: 'u_bob', video: { room: 's_abc', roomJoin: true }, nbf: 1_800_000_000 });
    expect(decoded.exp - decoded.nbf).toBeGreaterThanOrEqual(60);
    expect(decoded.exp - decoded.nbf).toBeLessThanOrEqual(600);
  });

  test('follows the probe: down makes it unavailable (check rejects), up again makes it available', async () => {
    const { rooms, state } = fakeRooms();
    const { log, lines } = quietLog();
    const media = new LiveKitMedia({ config, rooms, log });
    await media.check();
    state.up = false;
    await expect(media.check()).rejects.toThrow('ECONNREFUSED');
    await Bun.sleep(0);
    expect(media.available()).toBe(false);
    expect(media.grant('s1', 'u1')).toBeNull();
    state.up = true;
    await media.check();
    expect(media.available()).toBe(true);
    expect(lines).toEqual([
      'LiveKit answers: video is available',
      'LiveKit does not answer: text only',
      'LiveKit answers: video is available',
    ]);
  });

  test('probes periodically once started', async () => {
    const { rooms, state } = fakeRooms();
    state.up = false;
    const media = new LiveKitMedia({ config, rooms, log: quietLog().log, probeIntervalMs: 20 });
    await media.start();
    expect(media.available()).toBe(false);
    state.up = true;
    const deadline = Date.now() + 2000;
    while (!media.available() && Date.now() < deadline) await Bun.sleep(10);
    media.stop();
    expect(media.available()).toBe(true);
  });

  test('closeRoom deletes the room in the background; a failure is logged, never thrown', async () => {
    const { rooms, state } = fakeRooms();
    const { log, lines } = quietLog();
    const media = new LiveKitMedia({ config, rooms, log });
    media.closeRoom('s1');
    await Bun.sleep(0);
    expect(state.deleted).toEqual(['s1']);
    state.deleteFails = true;
    media.closeRoom('s2');
    await Bun.sleep(0);
    expect(lines).toContain('could not delete the LiveKit room');
  });
});
