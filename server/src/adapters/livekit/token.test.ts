import { describe, expect, test } from 'bun:test';
import { TokenVerifier } from 'livekit-server-sdk';
import { mintToken } from './token.ts';

const KEY = 'api-key';
const SECRET = 'a-secret-of-at-least-thirty-two-chars';
const now = Math.floor(Date.now() / 1000);
const request = {
  apiKey: KEY,
  apiSecret: SECRET,
  identity: 'u_alice',
  room: 's_123',
  ttlSeconds: 300,
  roomConfig: { maxParticipants: 2, departureTimeout: 10, emptyTimeout: 30 },
  nowSeconds: now,
};

describe('mintToken', () => {
  test('is a JWT that livekit-server-sdk verifies, for one identity, one room and a few minutes', async () => {
    const claims = await new TokenVerifier(KEY, SECRET).verify(mintToken(request));
    expect(claims.sub).toBe('u_alice');
    expect(claims.iss).toBe(KEY);
    expect(claims.nbf).toBe(now);
    expect(claims.exp).toBe(now + 300);
  });

  test('grants joining that room, publishing camera and microphone, subscribing, and nothing more', async () => {
    const claims = await new TokenVerifier(KEY, SECRET).verify(mintToken(request));
    expect(claims.video as unknown).toEqual({
      roomJoin: true,
      room: 's_123',
      canPublish: true,
      canPublishSources: ['camera', 'microphone'],
      canSubscribe: true,
      canPublishData: false,
      canUpdateOwnMetadata: false,
    });
    const keys = Object.keys(claims).sort();
    expect(keys).toEqual(['exp', 'iss', 'name', 'nbf', 'roomConfig', 'sub', 'video']);
  });

  test('carries the room limits, so the join that creates the room creates it with them', async () => {
    const claims = (await new TokenVerifier(KEY, SECRET).verify(mintToken(request))) as Record<string, unknown>;
    expect(claims.roomConfig).toEqual({ name: 's_123', maxParticipants: 2, departureTimeout: 10, emptyTimeout: 30 });
  });

  test('does not verify with another secret, nor once expired', async () => {
    const token = mintToken(request);
    await expect(new TokenVerifier(KEY, `${SECRET}x`).verify(token)).rejects.toThrow();
    const old = mintToken({ ...request, nowSeconds: now - 3600 });
    await expect(new TokenVerifier(KEY, SECRET).verify(old)).rejects.toThrow();
  });

  test('is minted synchronously, fast enough for the pairing path', () => {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) mintToken({ ...request, identity: `u${i}` });
    expect((performance.now() - t0) / 1000).toBeLessThan(1); // well under a millisecond each
  });
});
