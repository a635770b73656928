import { expect, test } from 'bun:test';
import { Hono } from 'hono';
import { requestLog } from './http.ts';

function app() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, obj: obj as never, msg });
  const a = new Hono();
  let n = 0;
  a.use(requestLog({ debug: at('debug'), info: at('info'), error: at('error') }, () => `r_${++n}`));
  a.get('/hello', (c) => c.text('hi'));
  a.get('/healthz', (c) => c.text('ok'));
  a.get('/boom', () => {
    throw new Error('kaput');
  });
  a.onError((_e, c) => c.json({ error: 'internal error' }, 500));
  return { a, lines };
}

test('every request gets an id, echoed to the client and logged with method, path, status and time', async () => {
  const { a, lines } = app();
  const res = await a.request('/hello?token=secret-in-query', { headers: { 'x-forwarded-for': '198.51.100.7' } });
  expect(res.headers.get('x-request-id')).toBe('r_1');
  expect(lines).toHaveLength(1);
  expect(lines[0]?.level).toBe('info');
  expect(lines[0]?.obj).toMatchObject({ reqId: 'r_1', method: 'GET', path: '/hello', status: 200 });
  expect(JSON.stringify(lines)).not.toContain('secret-in-query');
  expect(JSON.stringify(lines)).not.toContain('198.51.100.7');
});

test('a sane inbound X-Request-Id is kept; a hostile one is replaced', async () => {
  const { a } = app();
  const kept = await a.request('/hello', { headers: { 'x-request-id': 'lb-42.abc' } });
  expect(kept.headers.get('x-request-id')).toBe('lb-42.abc');
  const replaced = await a.request('/hello', { headers: { 'x-request-id': '{"forged":true} <script>' } });
  expect(replaced.headers.get('x-request-id')).toBe('r_1');
});

test('probes log at debug; failures at error with the request id', async () => {
  const { a, lines } = app();
  await a.request('/healthz');
  const res = await a.request('/boom');
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ error: 'internal error' });
  expect(lines.map((l) => l.level)).toEqual(['debug', 'error']);
  expect(lines[1]?.obj).toMatchObject({ reqId: 'r_2', path: '/boom', status: 500, err: 'kaput' });
});
