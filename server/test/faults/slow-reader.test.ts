/**
 * Fault: a client completes the handshake and then never reads (a stalled phone, a hostile
 * client), while its partner sends chat as fast as the rate limit allows. The server must bound
 * what it holds for that socket: close it (4002, "send buffer full") rather than grow without
 * limit or quietly drop frames and go on as if they were delivered, and tell the partner.
 */
import { expect, test } from 'bun:test';
import { TestClient } from '../support/client.ts';
import { recordFigure, secs, Verdict } from './support/figures.ts';
import { faultLab } from './support/lab.ts';
import { metric, rssBytes, sample } from './support/probes.ts';
import { RawWebSocket } from './support/raw-websocket.ts';

const SEND_MS = 10_000;
const GRACE_MS = 1000;
const MB = 1024 * 1024;
const PROMISE =
  'a socket that never reads is closed by the server (code 4002) before server RSS grows by 64 MB; every chat line it got before the close arrived in order with none missing; its partner gets peerLeft';

const lab = faultLab();
const { fleet } = lab;

/** Chat line `seq`, about 1,500 characters, numbered so gaps can be seen on the other side. */
const line = (seq: number) => `${seq} `.padEnd(1500, 'x');

const RATE = { perSecond: 1000, burst: 2000 };

/**
 * Sends numbered lines about as fast as the flood control allows (half its burst at once, then
 * just under its rate)
 * until `stop()` says so or `ms` pass; returns when each line left.
 */
async function flood(c: TestClient, sid: string, ms: number, stop: () => boolean) {
  const sentAt: number[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < ms && !stop()) {
    // A margin under the limit: a refused line would look like a line the server lost.
    const due = RATE.burst / 2 + Math.floor(((Date.now() - t0) * RATE.perSecond * 0.95) / 1000);
    // Never more than ~1 MB in the client's own buffer: what piles up must pile up in the server.
    while (sentAt.length < due && c.ws.bufferedAmount < MB) {
      c.send({ type: 'message', sessionId: sid, text: line(sentAt.length) });
      sentAt.push(Date.now());
    }
    await Bun.sleep(5);
  }
  return sentAt;
}

test('slow reader: the server bounds its buffer, closes the socket with 4002 and tells the partner', async () => {
  const [server] = await fleet.start(
    {
      ...lab.stores.isolated(),
      RATE_FRAMES_PER_SECOND: String(RATE.perSecond),
      RATE_FRAME_BURST: String(RATE.burst),
      RESUME_GRACE_MS: String(GRACE_MS),
      READY_TIMEOUT_MS: '60000',
    },
    {},
  );
  if (!server) throw new Error('one instance expected');
  const slow = await RawWebSocket.open(server.ws);
  const sender = await TestClient.hello(server.ws);
  try {
    slow.sendJson({ type: 'enqueue', mode: 'text' });
    slow.pause();
    sender.send({ type: 'enqueue', mode: 'text' });
    const sid = (await sender.until('matched')).sessionId;
    const rss0 = rssBytes(server.pid);
    const rss = sample(() => rssBytes(server.pid), 200);
    const sockets = sample(() => metric(server.url, 'ws_connections'), 100);
    const closed = () => sockets.samples.find((s) => s.value !== null && s.value < 2);
    const startedAt = Date.now();
    const sentAt = await flood(sender, sid, SEND_MS, () => sender.frames.some((f) => f.type === 'peerLeft'));
    const closedAt = closed()?.at ?? null;
    const peerLeft = await sender.until('peerLeft', closedAt === null ? 1000 : GRACE_MS + 5000).catch(() => null);
    await rss.stop();
    await sockets.stop();
    const ended = await slow.drain(5000);
    const got = slow.received();

    const seqs = got.texts
      .map((t) => JSON.parse(t) as { type: string; text?: string })
      .filter((f) => f.type === 'message')
      .map((f) => Number(f.text?.split(' ')[0]));
    const missing = seqs.length === 0 ? 0 : Math.max(...seqs) + 1 - new Set(seqs).size;
    const disordered = seqs.filter((n, i) => i > 0 && n <= (seqs[i - 1] as number)).length;
    const refused = sender.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited').length;
    const growth = Math.max(rss0, ...rss.samples.map((s) => s.value)) - rss0;
    const closeMs = closedAt === null ? null : closedAt - startedAt;
    const sentBeforeClose = closedAt === null ? sentAt.length : sentAt.filter((t) => t <= closedAt).length;
    const v = new Verdict();
    v.check('server RSS grew by less than 64 MB', growth < 64 * MB, `${(growth / MB).toFixed(1)} MB`);
    v.check(
      'the server closed the slow socket',
      closedAt !== null && ended,
      closedAt === null ? 'still open' : 'no TCP end',
    );
    v.check(
      'close code 4002 (or no close frame at all)',
      got.close === null || got.close.code === 4002,
      JSON.stringify(got.close),
    );
    v.check('no line refused by the flood control (else a gap proves nothing)', refused === 0, String(refused));
    v.check('no chat line missing before the close', missing === 0, `${missing} missing of ${seqs.length + missing}`);
    v.check('chat lines in order', disordered === 0, `${disordered} out of order`);
    v.check('the sender got peerLeft disconnect', peerLeft?.reason === 'disconnect', peerLeft?.reason ?? 'nothing');
    recordFigure(
      'slow reader',
      PROMISE,
      `RSS +${(growth / MB).toFixed(1)} MB; ${sentBeforeClose} messages sent before the close; closed after ${secs(closeMs)} (code ${got.close?.code ?? 'none'}); ${seqs.length} delivered, ${missing} missing in between`,
      {
        rssGrowthMb: Number((growth / MB).toFixed(1)),
        messagesSentBeforeClose: sentBeforeClose,
        messagesSent: sentAt.length,
        secondsToClose: closeMs === null ? null : closeMs / 1000,
        closeCode: got.close?.code ?? null,
        messagesDelivered: seqs.length,
        missingInBetween: missing,
        outOfOrder: disordered,
        senderTold: peerLeft !== null,
        senderRateLimited: refused,
      },
      v,
    );
    expect(v.broken).toEqual([]);
  } finally {
    slow.destroy();
    sender.close();
  }
}, 60_000);
