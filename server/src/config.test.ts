import { expect, test } from 'bun:test';
import { ConfigError, loadConfig } from './config.ts';
import { PROTOCOL_TIMERS } from './protocol.ts';

test('defaults are the protocol defaults, with the embedded stores', () => {
  const c = loadConfig({});
  expect(c.port).toBe(3000);
  expect(c.redisUrl).toBeNull();
  expect(c.databaseUrl).toBeNull();
  expect(c.livekit).toBeNull();
  expect(c.timers).toEqual({ ...PROTOCOL_TIMERS });
});

test('every variable is read', () => {
  const c = loadConfig({
    PORT: '4000',
    REDIS_URL: 'redis://r:6379',
    DATABASE_URL: 'postgres://p/db',
    INSTANCE_ID: 'a-1',
    READY_TIMEOUT_MS: '1',
    HEARTBEAT_TIMEOUT_MS: '2',
    INTEREST_FALLBACK_MS: '3',
    REMATCH_COOLDOWN_MS: '4',
    RESUME_GRACE_MS: '5',
    LIVEKIT_URL: 'ws://lk:7880',
    LIVEKIT_API_KEY: 'k',
    LIVEKIT_API_SECRET: 's',
  });
  expect([c.port, c.redisUrl, c.databaseUrl, c.instanceId]).toEqual([4000, 'redis://r:6379', 'postgres://p/db', 'a-1']);
  expect(Object.values(c.timers).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  expect(c.livekit).toEqual({ url: 'ws://lk:7880', apiKey: 'k', apiSecret: 's', publicUrl: 'ws://lk:7880' });
});

test('a bad value names its variable', () => {
  const bad: Record<string, string>[] = [
    { PORT: 'abc' },
    { PORT: '70000' },
    { REDIS_URL: 'http://x' },
    { DATABASE_URL: 'not a url' },
    { READY_TIMEOUT_MS: '-5' },
    { HEARTBEAT_TIMEOUT_MS: '1.5' },
    { INSTANCE_ID: 'has space' },
    { LOG_LEVEL: 'loud' },
    { LIVEKIT_URL: 'ws://x' },
  ];
  for (const env of bad) {
    const name = Object.keys(env)[0] as string;
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (e) {
      expect((e as Error).message).toContain(name === 'LIVEKIT_URL' ? 'LIVEKIT_API_KEY' : name);
    }
  }
});

test('dev mode, the admin token and the inspector are read and checked', () => {
  const quiet = loadConfig({});
  expect([quiet.dev, quiet.admin, quiet.inspect]).toEqual([false, { token: null, intervalMs: 1000 }, null]);
  const c = loadConfig({
    SERENDIP_DEV: '1',
    ADMIN_TOKEN: 'a-long-enough-admin-token',
    ADMIN_INTERVAL_MS: '250',
    INSPECT: '1',
    INSPECT_PORT: '9000',
    INSPECT_FILTER: 'sample:0.5',
    INSPECT_RELAY_URL: 'ws://127.0.0.1:9001',
  });
  expect(c.dev).toBe(true);
  expect(c.admin).toEqual({ token: 'a-long-enough-admin-token', intervalMs: 250 });
  expect(c.inspect).toEqual({ port: 9000, relayUrl: 'ws://127.0.0.1:9001', filter: { kind: 'sample', rate: 0.5 } });
  for (const [name, value] of [
    ['SERENDIP_DEV', 'yes'],
    ['ADMIN_TOKEN', 'short'],
    ['INSPECT', '2'],
    ['ADMIN_INTERVAL_MS', '5'],
  ] as const) {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  }
  expect(() => loadConfig({ INSPECT: '1', INSPECT_FILTER: 'some' })).toThrow('INSPECT_FILTER');
  expect(() => loadConfig({ INSPECT: '1', INSPECT_RELAY_URL: 'http://x' })).toThrow('INSPECT_RELAY_URL');
});
