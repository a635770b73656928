import { describe, expect, test } from 'bun:test';
import type { ServerFrame } from '../../../server/src/protocol.ts';
import { frame, hello, kinds, matchedText, matchedVideo, open, run, sends } from './harness.ts';
import { dataState, type Event, initialState, RESUME_PROBE, type State } from './state.ts';

const texts = (s: State) => s.lines.map((l) => `${l.from}:${l.text}`);

/** Connected, hello received, camera granted, idle. */
const ready = () => run([open, hello(), { type: 'devices', devices: 'on' }]).state;
/** In a video call on session s1. */
const inCall = () =>
  run(
    [
      { type: 'start', wish: { mode: 'video', interests: ['cats'] } },
      frame({ type: 'waiting', since: 1 }),
      matchedVideo(),
      { type: 'joined', sessionId: 's1' },
      frame({ type: 'connected', sessionId: 's1' }),
    ],
    ready(),
  ).state;

describe('connecting', () => {
  test('disconnected until the socket opens; hello says who we are and whether video works', () => {
    expect(dataState(initialState())).toBe('disconnected');
    const { state } = run([open, hello(false)]);
    expect(dataState(state)).toBe('idle');
    expect(state).toMatchObject({ userId: 'u1', video: false });
    expect(run([open, frame({ type: 'stats', online: 42, waiting: 3 })]).state.online).toBe(42);
  });
});

describe('starting', () => {
  test('video asks for the camera first, then enqueues what the user asked for', () => {
    const wish = { mode: 'video' as const, interests: ['music'] };
    const asked = run([open, hello(), { type: 'start', wish }]);
    expect(kinds(asked.commands)).toEqual(['requestDevices']);
    expect(asked.state.devices).toBe('requesting');
    const granted = run([{ type: 'devices', devices: 'on' }], asked.state);
    expect(sends(granted.commands)).toEqual([{ type: 'enqueue', mode: 'video', interests: ['music'] }]);
    expect(granted.state.wish).toEqual(wish);
  });

  test('a denied camera enqueues nothing and says why; text mode still starts', () => {
    const denied = run([
      open,
      hello(),
      { type: 'start', wish: { mode: 'video', interests: [] } },
      { type: 'devices', devices: 'denied', error: 'Permission denied' },
    ]);
    expect(sends(denied.commands)).toEqual([]);
    expect(denied.state).toMatchObject({ devices: 'denied', deviceError: 'Permission denied', pendingStart: null });
    const text = run([{ type: 'start', wish: { mode: 'text', interests: [] } }], denied.state);
    expect(sends(text.commands)).toEqual([{ type: 'enqueue', mode: 'text', interests: [] }]);
  });

  test('with the camera already on, video enqueues at once', () => {
    const { commands } = run([{ type: 'start', wish: { mode: 'video', interests: [] } }], ready());
    expect(sends(commands)).toEqual([{ type: 'enqueue', mode: 'video', interests: [] }]);
  });

  test('video is refused with a notice when the server has no media; nothing starts while offline', () => {
    const noVideo = run([open, hello(false), { type: 'start', wish: { mode: 'video', interests: [] } }]);
    expect(noVideo.commands).toEqual([]);
    expect(noVideo.state.notice).toContain('Video is unavailable');
    expect(run([{ type: 'start', wish: { mode: 'text', interests: [] } }]).commands).toEqual([]);
  });

  test('a preview asks for the devices once; a start during it waits for the same answer', () => {
    const first = run([open, hello(), { type: 'preview' }]);
    expect(kinds(first.commands)).toEqual(['requestDevices']);
    expect(run([{ type: 'preview' }], first.state).commands).toEqual([]);
    const started = run([{ type: 'start', wish: { mode: 'video', interests: [] } }], first.state);
    expect(started.commands).toEqual([]);
    const granted = run([{ type: 'devices', devices: 'on' }], started.state);
    expect(sends(granted.commands)).toEqual([{ type: 'enqueue', mode: 'video', interests: [] }]);
  });
});

describe('waiting and matching', () => {
  test('waiting starts the local clock; cancel is sent only while waiting', () => {
    const { state } = run(
      [{ type: 'start', wish: { mode: 'text', interests: [] } }, frame({ type: 'waiting', since: 5 }, 777)],
      ready(),
    );
    expect(state).toMatchObject({ phase: 'waiting', waitingSince: 777 });
    expect(sends(run([{ type: 'cancel' }], state).commands)).toEqual([{ type: 'cancel' }]);
    expect(run([{ type: 'cancel' }], ready()).commands).toEqual([]);
    expect(run([frame({ type: 'idle' })], state).state.phase).toBe('idle');
  });

  test('a video match joins the room, says ready once joined, and is in the call on connected', () => {
    const m = run([matchedVideo('s1', ['cats'])], ready());
    expect(m.state.phase).toBe('matched');
    expect(m.commands).toEqual([
      { kind: 'mark', name: 'matched', sessionId: 's1' },
      { kind: 'join', sessionId: 's1', url: 'ws://lk', token: 'jwt' },
    ]);
    expect(texts(m.state)).toEqual(["system:You're now chatting with a random stranger. Say hi! You both like: cats."]);
    const joined = run([{ type: 'joined', sessionId: 's1' }], m.state);
    expect(sends(joined.commands)).toEqual([{ type: 'ready', sessionId: 's1' }]);
    const c = run([frame({ type: 'connected', sessionId: 's1' })], joined.state);
    expect(dataState(c.state)).toBe('inCall');
    expect(c.commands).toEqual([{ kind: 'mark', name: 'connected', sessionId: 's1' }]);
  });

  test('a text match is ready at once; a video match without media is ready at once and says so', () => {
    expect(sends(run([matchedText()], ready()).commands)).toEqual([{ type: 'ready', sessionId: 's1' }]);
    const noMedia = run(
      [
        frame({
          type: 'matched',
          sessionId: 's1',
          mode: 'video',
          commonInterests: [],
          room: null,
          token: null,
          livekitUrl: null,
        }),
      ],
      ready(),
    );
    expect(sends(noMedia.commands)).toEqual([{ type: 'ready', sessionId: 's1' }]);
    expect(texts(noMedia.state).at(-1)).toContain('Video is unavailable');
  });

  test('a failed media join still lets the chat go on', () => {
    const m = run([matchedVideo(), { type: 'joinFailed', sessionId: 's1', error: 'ICE failed' }], ready());
    expect(sends(m.commands)).toEqual([{ type: 'ready', sessionId: 's1' }]);
    expect(m.state.media).toBe('failed');
    expect(texts(m.state).at(-1)).toBe('system:Video could not connect (ICE failed). You can still chat.');
  });

  test('media reports for a room we left, and joins of an old session, change nothing', () => {
    const m = run([matchedVideo('s2'), { type: 'joined', sessionId: 's1' }], ready());
    expect(sends(m.commands)).toEqual([]);
    const s = ready();
    expect(
      run(
        [
          { type: 'media', media: 'connected' },
          { type: 'mediaInfo', peerVideo: true },
        ],
        s,
      ).state,
    ).toEqual(s);
  });
});

describe('in a call', () => {
  test('chat goes both ways; typing is sent only when it changes; stale frames are ignored', () => {
    const s = inCall();
    const said = run(
      [
        { type: 'typing', typing: true },
        { type: 'typing', typing: true },
        { type: 'say', text: '  hi  ' },
        { type: 'say', text: '   ' },
      ],
      s,
    );
    expect(sends(said.commands)).toEqual([
      { type: 'typing', sessionId: 's1', typing: true },
      { type: 'message', sessionId: 's1', text: 'hi' },
    ]);
    expect(said.state.meTyping).toBe(false);
    const heard = run(
      [
        frame({ type: 'typing', sessionId: 's1', typing: true }),
        frame({ type: 'message', sessionId: 'old', text: 'ghost', at: 1 }),
        frame({ type: 'message', sessionId: 's1', text: 'hey', at: 1 }),
      ],
      said.state,
    );
    expect(texts(heard.state).slice(-2)).toEqual(['me:hi', 'peer:hey']);
    expect(heard.state.peerTyping).toBe(false);
  });

  test('skip sends the frame and leaves the media; ended and waiting follow', () => {
    const skipped = run([{ type: 'skip' }], inCall());
    expect(skipped.commands).toEqual([{ kind: 'send', frame: { type: 'skip', sessionId: 's1' } }, { kind: 'leave' }]);
    const after = run(
      [frame({ type: 'ended', sessionId: 's1', reason: 'skip' }), frame({ type: 'waiting', since: 2 })],
      skipped.state,
    );
    expect(texts(after.state).at(-1)).toBe('system:You skipped.');
    expect(dataState(after.state)).toBe('waiting');
    expect(after.commands).toEqual([]);
  });

  test('Esc twice within 2 s skips; presses further apart only arm it', () => {
    const slow = run(
      [
        { type: 'escape', now: 10_000 },
        { type: 'escape', now: 12_500 },
      ],
      inCall(),
    );
    expect(sends(slow.commands)).toEqual([]);
    expect(slow.state.skipArmedAt).toBe(12_500);
    const quick = run([{ type: 'escape', now: 13_000 }], slow.state);
    expect(sends(quick.commands)).toEqual([{ type: 'skip', sessionId: 's1' }]);
    expect(run([{ type: 'escape', now: 1 }], ready()).state.skipArmedAt).toBeNull();
  });

  test('end leads to the after-end screen, and Start again re-enqueues the same wish', () => {
    const ended = run(
      [{ type: 'end' }, frame({ type: 'ended', sessionId: 's1', reason: 'end' }), frame({ type: 'idle' })],
      inCall(),
    );
    expect(ended.state).toMatchObject({ phase: 'idle', afterEnd: true, session: null });
    expect(dataState(ended.state)).toBe('idle');
    const again = run([{ type: 'again' }], ended.state);
    expect(sends(again.commands)).toEqual([{ type: 'enqueue', mode: 'video', interests: ['cats'] }]);
    expect(again.state.afterEnd).toBe(false);
  });

  test('report sends the reason and leaves the media', () => {
    const { commands } = run([{ type: 'report', reason: 'rude' }], inCall());
    expect(commands).toEqual([
      { kind: 'send', frame: { type: 'report', sessionId: 's1', reason: 'rude' } },
      { kind: 'leave' },
    ]);
  });

  test('the partner leaving says how, leaves the media, and the log stays while waiting again', () => {
    const left = run(
      [frame({ type: 'peerLeft', sessionId: 's1', reason: 'disconnect' }), frame({ type: 'waiting', since: 3 })],
      inCall(),
    );
    expect(left.commands).toEqual([{ kind: 'leave' }]);
    expect(texts(left.state).at(-1)).toBe('system:Stranger disconnected.');
    expect(dataState(left.state)).toBe('waiting');
    const skipped = run([frame({ type: 'peerLeft', sessionId: 's1', reason: 'skip' })], inCall());
    expect(texts(skipped.state).at(-1)).toBe('system:Stranger skipped.');
  });

  test('a disconnect after our own video failed is told as ours', () => {
    const failed = run(
      [{ type: 'media', media: 'failed' }, frame({ type: 'peerLeft', sessionId: 's1', reason: 'disconnect' })],
      inCall(),
    );
    expect(texts(failed.state).at(-1)).toBe('system:Your video connection dropped, so the chat ended.');
  });

  test('a new match starts a fresh log, keeping only how the last chat ended', () => {
    const chatted = run([frame({ type: 'message', sessionId: 's1', text: 'bye', at: 1 })], inCall()).state;
    const left = [frame({ type: 'peerLeft', sessionId: 's1', reason: 'skip' }), frame({ type: 'waiting', since: 3 })];
    const next = run([...left, matchedText('s2')], chatted);
    expect(texts(next.state)).toEqual([
      'system:Stranger skipped.',
      "system:You're now chatting with a random stranger. Say hi!",
    ]);
    expect(next.state.session?.sessionId).toBe('s2');
    expect(run([matchedText('s3')], ready()).state.lines).toHaveLength(1);
  });

  test('mute and camera toggles', () => {
    const { state, commands } = run(
      [{ type: 'toggleMic' }, { type: 'toggleCamera' }, { type: 'toggleCamera' }],
      inCall(),
    );
    expect(commands).toEqual([
      { kind: 'setMic', on: false },
      { kind: 'setCamera', on: false },
      { kind: 'setCamera', on: true },
    ]);
    expect(state).toMatchObject({ micOn: false, cameraOn: true });
  });

  test('the log keeps the last 500 lines', () => {
    const many = Array.from({ length: 600 }, (_, i) =>
      frame({ type: 'message', sessionId: 's1', text: `m${i}`, at: i }),
    );
    const { state } = run(many, inCall());
    expect(state.lines).toHaveLength(500);
    expect(state.lines.at(-1)?.text).toBe('m599');
  });
});

describe('reconnecting', () => {
  const drop: Event = { type: 'link', link: 'reconnecting' };
  const back: Event = { type: 'link', link: 'open', resumed: true };
  const probe = frame({ type: 'pong', t: RESUME_PROBE });

  test('while the socket is down the state says disconnected and controls do nothing', () => {
    const down = run([drop, { type: 'skip' }, { type: 'say', text: 'hi' }], inCall());
    expect(dataState(down.state)).toBe('disconnected');
    expect(down.commands).toEqual([]);
  });

  test('a resumed session comes back with matched: the media room is kept, ready is sent again', () => {
    const resumed = run([drop, back, hello(), matchedVideo(), probe], inCall());
    expect(resumed.commands).toEqual([
      { kind: 'send', frame: { type: 'ping', t: RESUME_PROBE } },
      { kind: 'send', frame: { type: 'ready', sessionId: 's1' } },
    ]);
    expect(resumed.state).toMatchObject({ phase: 'matched', resuming: null });
    expect(resumed.state.lines).toHaveLength(1); // no second greeting
  });

  test('a session the server no longer holds ends with a line, and we queue again', () => {
    const lost = run([drop, back, hello(), probe], inCall());
    expect(lost.commands).toEqual([
      { kind: 'send', frame: { type: 'ping', t: RESUME_PROBE } },
      { kind: 'leave' },
      { kind: 'send', frame: { type: 'enqueue', mode: 'video', interests: ['cats'] } },
    ]);
    expect(texts(lost.state).at(-1)).toBe('system:Your connection dropped and the chat ended.');
    expect(lost.state.phase).toBe('idle');
  });

  test('a lost queue place is asked for again; a kept one is not', () => {
    const waiting = run(
      [{ type: 'start', wish: { mode: 'text', interests: ['x'] } }, frame({ type: 'waiting', since: 1 })],
      ready(),
    ).state;
    const lost = run([drop, back, hello(), probe], waiting);
    expect(sends(lost.commands)).toEqual([
      { type: 'ping', t: RESUME_PROBE },
      { type: 'enqueue', mode: 'text', interests: ['x'] },
    ]);
    const kept = run([drop, back, hello(), frame({ type: 'waiting', since: 1 }), probe], waiting);
    expect(sends(kept.commands)).toEqual([{ type: 'ping', t: RESUME_PROBE }]);
  });

  test('a different identity after the reconnect means everything was lost', () => {
    const { commands, state } = run([drop, back, hello(true, 'u2')], inCall());
    expect(kinds(commands)).toEqual(['leave', 'send']);
    expect(state.userId).toBe('u2');
  });

  test('an idle user reconnects quietly', () => {
    expect(run([drop, back, hello()], ready()).commands).toEqual([]);
  });

  test('a socket closed for good leaves the media and says why', () => {
    const { state, commands } = run(
      [{ type: 'link', link: 'closed', reason: 'This chat continued in another tab or window.' }],
      inCall(),
    );
    expect(commands).toEqual([{ kind: 'leave' }]);
    expect(state.notice).toContain('another tab');
    expect(dataState(state)).toBe('disconnected');
  });
});

describe('server errors', () => {
  test('refusals the user should know about become a notice; stale and state races do not', () => {
    const err = (code: string) => frame({ type: 'error', code, message: `m-${code}` } as ServerFrame);
    expect(run([err('rate_limited')], ready()).state.notice).toContain('Slow down');
    expect(run([err('unavailable')], ready()).state.notice).toContain('unavailable');
    expect(run([err('invalid')], ready()).state.notice).toBe('m-invalid');
    expect(run([err('stale_session'), err('bad_state')], ready()).state.notice).toBeNull();
    expect(run([err('invalid'), { type: 'dismiss' }], ready()).state.notice).toBeNull();
  });
});
