/**
 * End to end in real headless Chromium (fake camera and microphone) against the real matching
 * server, Redis, PostgreSQL and livekit-server: one stack and one browser for the whole file.
 * Screenshots of every screen go to artifacts/ (ignored by git).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { lines, sentFrames, stateOf, waitLine, waitState } from './support/browser.ts';
import { startProxy } from './support/proxy.ts';
import { ice } from './support/stats.ts';
import { currentSession, expectVideoFlowing, World } from './support/world.ts';

/** Short timers, so the paths that wait for them finish quickly. */
const RESUME_GRACE_MS = 5000;

let world: World;
const page = (opts: Parameters<World['page']>[0] = {}): Promise<Page> => world.page(opts);
const videoPair = () => world.videoPair();
const shot = (p: Page, name: string) => world.shot(p, name);

beforeAll(async () => {
  world = await World.start({
    RESUME_GRACE_MS: String(RESUME_GRACE_MS),
    INTEREST_FALLBACK_MS: '1000',
    STATS_INTERVAL_MS: '1000',
  });
});

// Every test leaves no page behind, even when it fails half way (a stale page would be matched next).
afterEach(() => world.closeAll());

afterAll(async () => {
  const summary = world?.summarise();
  if (summary)
    console.log(`matched → connected: median ${summary.medianMs} ms over ${summary.samples.length} page sessions`);
  await world?.stop();
});

describe('in real browsers', () => {
  test('landing: a denied camera is explained and text chat is offered, which works', async () => {
    const p = await page({ denyDevices: true });
    await shot(p, 'landing');
    await p.getByTestId('interests').fill('e2e-denied');
    await p.getByTestId('start').click();
    await p.getByTestId('device-error').waitFor();
    expect(await p.getByTestId('device-error').textContent()).toContain('blocked');
    expect(await stateOf(p)).toBe('idle');
    await shot(p, 'camera-denied');
    await p.getByTestId('use-text').click();
    await waitState(p, 'waiting');
    expect(await p.getByTestId('online-count').textContent()).toMatch(/\d+ (person|people) online/);
    await shot(p, 'waiting');
    await p.getByTestId('cancel').click();
    await waitState(p, 'idle');
  });

  test('two pages start video: both in the call, each really receiving the other’s video', async () => {
    const [a, b] = await videoPair();
    await Promise.all([expectVideoFlowing(a), expectVideoFlowing(b)]);
    expect(await a.getByTestId('media-state').getAttribute('data-media')).toBe('connected');
    await shot(a, 'call-video');
  });

  test('ICE: each page connects to LiveKit only, never to the other page (no peer address leak)', async () => {
    const [a, b] = await videoPair();
    await Promise.all([expectVideoFlowing(a), expectVideoFlowing(b)]);
    const [ia, ib] = await Promise.all([ice(a), ice(b)]);
    const lkPorts = [world.stack.lk.rtcPorts.udp, world.stack.lk.rtcPorts.tcp];
    for (const [mine, theirs] of [
      [ia, ib],
      [ib, ia],
    ] as const) {
      expect(mine.selected.length).toBeGreaterThan(0);
      expect(theirs.local.length).toBeGreaterThan(0);
      for (const c of mine.selected) expect(lkPorts).toContain(c.port);
      for (const c of mine.remote) expect(lkPorts).toContain(c.port);
      const seen = new Set(mine.remote.map((c) => `${c.address}:${c.port}`));
      for (const c of theirs.local) expect(seen.has(`${c.address}:${c.port}`)).toBe(false);
    }
  });

  test('chat lines and the typing indicator go both ways; Enter sends', async () => {
    const [a, b] = await videoPair();
    await a.getByTestId('chat-input').pressSequentially('hel');
    await b.getByTestId('typing').waitFor({ state: 'visible' });
    await a.getByTestId('chat-input').press('Enter'); // Enter sends what is typed
    await waitLine(b, 'peer', 'hel');
    await b.getByTestId('typing').waitFor({ state: 'hidden' });
    await b.getByTestId('chat-input').fill('hi stranger');
    await a.getByTestId('typing').waitFor({ state: 'visible' });
    await b.getByTestId('chat-send').click();
    await waitLine(a, 'peer', 'hi stranger');
    expect(await lines(a, 'me')).toEqual(['You: hel']);
    expect(await lines(b, 'me')).toEqual(['You: hi stranger']);
    await shot(b, 'call-chat');
  });

  test('with a third page: Esc twice skips and re-pairs, the skipped page is matched again, End goes idle', async () => {
    const [a, b] = await videoPair();
    const c = await page();
    await c.getByTestId('start').click();
    await waitState(c, 'waiting');
    await a.keyboard.press('Escape');
    await a.getByTestId('skip').getByText('Press Esc again').waitFor();
    await a.keyboard.press('Escape');
    await waitLine(a, 'system', 'You skipped.');
    await waitLine(b, 'system', 'Stranger skipped.');
    await shot(b, 'peer-skipped');
    // One of them takes the third page (who waited longest); the other waits, kept from its last partner.
    await waitState(c, 'inCall');
    const [withC, alone] = (await stateOf(a)) === 'inCall' ? [a, b] : [b, a];
    await waitState(withC, 'inCall');
    expect(await stateOf(alone)).toBe('waiting');
    await c.getByTestId('end').click();
    await c.getByTestId('after-end').waitFor();
    expect(await stateOf(c)).toBe('idle');
    await shot(c, 'after-end');
    await waitLine(withC, 'system', 'Stranger ended the chat.');
    // Nobody else waits now: after the fallback time the two who skipped each other meet again.
    await Promise.all([waitState(a, 'inCall', 30_000), waitState(b, 'inCall', 30_000)]);
    await c.getByTestId('again').click();
    await waitState(c, 'waiting');
  });

  test('a page that closes mid-call: the other sees "Stranger disconnected" and waits again (webhook path)', async () => {
    const [a, b] = await videoPair();
    const sid = await currentSession(a);
    const t0 = Date.now();
    await a.close(); // livekit-client leaves the room as the page goes: LiveKit reports participant_left
    await waitLine(b, 'system', 'Stranger disconnected.');
    await waitState(b, 'waiting');
    const took = Date.now() - t0;
    // Faster than the resume grace, which is all the socket path could do: this was the webhook.
    expect(took).toBeLessThan(RESUME_GRACE_MS);
    expect(world.stack.server.output()).toContain(`"sessionId":"${sid}","event":"participant_left"`);
    await shot(b, 'peer-disconnected');
  });

  test('a page that crashes mid-call: the other sees "Stranger disconnected" and waits again (socket path)', async () => {
    const [a, b] = await videoPair();
    const sid = await currentSession(a);
    const t0 = Date.now();
    // A crashed renderer says goodbye to nobody: no LiveKit leave, the socket just drops.
    const cdp = await a.context().newCDPSession(a);
    void cdp.send('Page.crash').catch(() => {}); // never answers: the page is gone
    await waitLine(b, 'system', 'Stranger disconnected.', 20_000);
    await waitState(b, 'waiting');
    // Held for the resume grace first (a short drop would have resumed), then released: the socket
    // path. LiveKit had not given up on the crashed participant by then, so no webhook closed it.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(RESUME_GRACE_MS - 200);
    expect(world.stack.server.output()).not.toContain(`"sessionId":"${sid}","event":"participant_left"`);
  });

  test('a network blip: the socket reconnects by itself, says so, and the call resumes unseen by the partner', async () => {
    const proxy = startProxy(world.stack.server.url);
    try {
      const a = await page({ url: proxy.url });
      const b = await page();
      await a.getByTestId('start').click();
      await waitState(a, 'waiting');
      await b.getByTestId('start').click();
      await Promise.all([waitState(a, 'inCall'), waitState(b, 'inCall')]);
      const before = await lines(b, 'system');
      proxy.cut(1500);
      await a.getByTestId('reconnecting').waitFor();
      expect(await stateOf(a)).toBe('disconnected');
      await shot(a, 'reconnecting');
      // Back within the resume grace: same session, same media room, in the call again.
      await waitState(a, 'inCall');
      expect(await a.getByTestId('reconnecting').count()).toBe(0);
      await expectVideoFlowing(b);
      expect(await stateOf(b)).toBe('inCall');
      expect(await lines(b, 'system')).toEqual(before);
      await a.getByTestId('chat-input').fill('still here');
      await a.getByTestId('chat-input').press('Enter');
      await waitLine(b, 'peer', 'still here');
    } finally {
      proxy.stop();
    }
  });

  test('text-only mode end to end: chat, skip, end', async () => {
    const a = await page();
    const b = await page();
    await a.getByTestId('start-text').click();
    await waitState(a, 'waiting');
    await b.getByTestId('start-text').click();
    await Promise.all([waitState(a, 'inCall'), waitState(b, 'inCall')]);
    expect(await a.getByTestId('remote-video').count()).toBe(0);
    await a.getByTestId('chat-input').fill('text only');
    await a.getByTestId('chat-input').press('Enter');
    await waitLine(b, 'peer', 'text only');
    await shot(a, 'call-text');
    await a.getByTestId('skip').click();
    await waitLine(b, 'system', 'Stranger skipped.');
    await Promise.all([waitState(a, 'waiting'), waitState(b, 'waiting')]);
    // Alone together again after the fallback: they meet again, then b ends.
    await Promise.all([waitState(a, 'inCall', 30_000), waitState(b, 'inCall', 30_000)]);
    await b.getByTestId('end').click();
    await b.getByTestId('after-end').waitFor();
    await waitLine(a, 'system', 'Stranger ended the chat.');
  });

  test('report: a category is required, the reason goes out as "<category>: <details>", both are kept apart', async () => {
    const [a, b] = await videoPair();
    await a.getByTestId('report').click();
    await a.getByRole('dialog').waitFor();
    expect(await a.getByTestId('report-submit').isDisabled()).toBe(true); // no category chosen yet
    await a.getByTestId('report-details').fill('sells followers');
    expect(await a.getByTestId('report-submit').isDisabled()).toBe(true);
    await a.getByTestId('report-category').selectOption('spam');
    await shot(a, 'report');
    await a.getByTestId('report-submit').click();
    await waitLine(a, 'system', 'You reported the stranger.');
    await waitLine(b, 'system', 'Stranger left.');
    const reports = (await sentFrames(a)).filter((f) => f.type === 'report');
    expect(reports).toEqual([{ type: 'report', sessionId: expect.any(String), reason: 'spam: sells followers' }]);
    await Promise.all([waitState(a, 'waiting'), waitState(b, 'waiting')]);
    // Reported pairs never meet again, even alone in the queue past the fallback time.
    await Bun.sleep(2500);
    expect([await stateOf(a), await stateOf(b)]).toEqual(['waiting', 'waiting']);
  });

  test('a phone-sized screen: the call and its controls fit, and the keyboard reaches Start', async () => {
    const phone = { width: 390, height: 844 };
    const a = await page({ viewport: phone });
    const b = await page({ viewport: phone });
    await a.keyboard.press('Tab'); // interests
    await a.keyboard.press('Tab'); // start
    await a.keyboard.press('Enter');
    await waitState(a, 'waiting');
    await b.getByTestId('start').click();
    await Promise.all([waitState(a, 'inCall'), waitState(b, 'inCall')]);
    await world.recordConnectTime(a);
    await world.recordConnectTime(b);
    await expectVideoFlowing(a);
    for (const id of ['remote-video', 'local-video', 'skip', 'end', 'report', 'chat-input', 'mic', 'camera']) {
      const box = await a.getByTestId(id).boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= phone.width + 1).toBe(true);
    }
    await shot(a, 'phone-call');
  });

  test('matched → connected over several more pairs', async () => {
    for (let i = 0; i < 3; i++) {
      const [a] = await videoPair();
      await a.getByTestId('end').click();
      await world.closeAll();
    }
    expect(world.connectTimes.length).toBeGreaterThanOrEqual(10);
  });

  test('no page raised an uncaught error', () => {
    expect(world.errors).toEqual([]);
  });
});
