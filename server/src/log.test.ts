import { expect, test } from 'bun:test';
import { Writable } from 'node:stream';
import { createLog, prettyDestination } from './log.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

test('lines are JSON with the instance, and ids are kept', () => {
  const { lines, stream } = capture();
  const log = createLog({ logLevel: 'info', instanceId: 'inst-1' }, stream);
  log.info({ userId: 'u_1', sessionId: 's_1', reqId: 'r_1' }, 'session started');
  log.debug({ userId: 'u_2' }, 'below the level');
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0] as string)).toMatchObject({
    level: 30,
    instance: 'inst-1',
    userId: 'u_1',
    sessionId: 's_1',
    reqId: 'r_1',
    msg: 'session started',
  });
});

test('chat text, tokens, cookies and IP addresses are censored, at the top and one level down', () => {
  const { lines, stream } = capture();
  const log = createLog({ logLevel: 'info', instanceId: 'i' }, stream);
  log.info(
    {
      text: 'my number is 555-0100',
      token: 'eyJhbGciOi.jwt',
      resumeToken: 'resume-secret',
      ip: '203.0.113.9',
      frame: { type: 'message', text: 'hello there stranger', token: 'media-token' },
      req: {
        headers: {
          authorization: 'Bearer admin-secret',
          cookie: 'serendip_admin=abc',
          'x-forwarded-for': '198.51.100.7',
        },
      },
      peer: { remoteAddress: '192.0.2.1', ip: '192.0.2.2' },
    },
    'everything private at once',
  );
  const line = lines[0] as string;
  for (const secret of [
    '555-0100',
    'eyJhbGciOi',
    'resume-secret',
    '203.0.113.9',
    'hello there',
    'media-token',
    'admin-secret',
    'serendip_admin=abc',
    '198.51.100.7',
    '192.0.2.1',
    '192.0.2.2',
  ]) {
    expect(line).not.toContain(secret);
  }
  const parsed = JSON.parse(line);
  expect(parsed.frame).toEqual({ type: 'message', text: '[redacted]', token: '[redacted]' });
  expect(parsed.req.headers.authorization).toBe('[redacted]');
});

test('dev mode gets pretty output from pino-pretty, still censored', async () => {
  const { lines, stream } = capture();
  const pretty = await prettyDestination(stream);
  expect(pretty).toBeDefined();
  createLog({ logLevel: 'info', instanceId: 'i' }, pretty).info({ userId: 'u_9', text: 'secret words' }, 'matched');
  const out = lines.join('');
  expect(out).toContain('INFO');
  expect(out).toContain('matched');
  expect(out).toContain('u_9');
  expect(out).not.toContain('secret words');
  expect(() => JSON.parse(out)).toThrow();
});
