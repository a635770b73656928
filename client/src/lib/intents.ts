/**
 * The user's intents and the media's reports, reduced: they become frames and media commands.
 * The phase is left to the server's answer; only local matters (chat lines of our own, toggles,
 * notices, the Esc double press) change here.
 */
import { MAX_REPORT_REASON_LENGTH, MAX_TEXT_LENGTH } from '../../../server/src/protocol.ts';
import { newStranger, wantModel } from './safe-mode.ts';
import {
  addLine,
  type Command,
  enqueue,
  leaveMedia,
  SKIP_CONFIRM_MS,
  type State,
  type UserEvent,
  type Wish,
} from './state.ts';

export function intent(s: State, e: UserEvent, out: Command[]): State {
  const sid = s.session?.sessionId;
  switch (e.type) {
    case 'start':
      return start(s, e.wish, out);
    case 'again':
      return start({ ...s, afterEnd: false }, s.wish ?? { mode: s.video ? 'video' : 'text', interests: [] }, out);
    case 'home':
      return { ...s, afterEnd: false };
    case 'preview':
      if (s.devices === 'on' || s.devices === 'requesting') return s;
      out.push({ kind: 'requestDevices' });
      return { ...s, devices: 'requesting', deviceError: null };
    case 'devices':
      return devices(s, e.devices, e.error ?? null, out);
    case 'cancel':
      if (s.phase === 'waiting' && s.link === 'open') out.push({ kind: 'send', frame: { type: 'cancel' } });
      return s;
    case 'skip':
    case 'end':
      if (!sid || s.link !== 'open') return s;
      out.push({ kind: 'send', frame: { type: e.type, sessionId: sid } });
      return { ...leaveMedia(s, out), skipArmedAt: null, queueAsk: e.type === 'skip' };
    case 'report':
      if (!sid || s.link !== 'open') return s;
      out.push({
        kind: 'send',
        frame: { type: 'report', sessionId: sid, reason: e.reason.slice(0, MAX_REPORT_REASON_LENGTH) },
      });
      return { ...leaveMedia(s, out), queueAsk: true };
    case 'say':
      return say(s, e.text, out);
    case 'typing':
      if (!sid || s.link !== 'open' || e.typing === s.meTyping) return s;
      out.push({ kind: 'send', frame: { type: 'typing', sessionId: sid, typing: e.typing } });
      return { ...s, meTyping: e.typing };
    case 'escape':
      if (!sid) return s;
      if (s.skipArmedAt !== null && e.now - s.skipArmedAt <= SKIP_CONFIRM_MS) return intent(s, { type: 'skip' }, out);
      return { ...s, skipArmedAt: e.now };
    case 'joined':
      if (sid !== e.sessionId) return s;
      out.push({ kind: 'send', frame: { type: 'ready', sessionId: sid } });
      return s;
    case 'joinFailed':
      if (sid !== e.sessionId) return s;
      // Chat still works: say so, and tell the server we are here so the session can go on.
      out.push({ kind: 'send', frame: { type: 'ready', sessionId: sid } });
      return {
        ...addLine(s, 'system', `Video could not connect (${e.error}). You can still chat.`),
        media: 'failed',
      };
    case 'media':
      return s.joinedRoom === null ? s : { ...s, media: e.media };
    case 'mediaInfo': {
      if (s.joinedRoom === null) return s;
      const { type: _, ...info } = e;
      // A video track that was not there before may be anyone's picture: safe mode looks at it afresh.
      const fresh = info.peerVideo === true && !s.peerVideo;
      const next = { ...s, ...info };
      return fresh ? newStranger(next, out) : next;
    }
    case 'toggleMic':
      out.push({ kind: 'setMic', on: !s.micOn });
      return { ...s, micOn: !s.micOn };
    case 'toggleCamera':
      out.push({ kind: 'setCamera', on: !s.cameraOn });
      return { ...s, cameraOn: !s.cameraOn };
    case 'dismiss':
      return { ...s, notice: null };
  }
}

/** Start buttons work only for a device that confirmed it is 18+, not banned, not cooling down. */
const mayStart = (s: State) =>
  s.link === 'open' && s.phase === 'idle' && s.gate.adult && !s.gate.banned && s.cooldown === null;

function start(s: State, wish: Wish, out: Command[]): State {
  if (!mayStart(s)) return s;
  const next = { ...s, notice: null, afterEnd: false, pendingStart: null };
  if (wish.mode === 'text') return enqueue(next, wish, out);
  if (!s.video) return { ...next, notice: 'Video is unavailable right now. You can start a text chat.' };
  // The classifier loads while the camera starts and the queue runs: ready when the stranger is.
  if (s.devices === 'on') return enqueue(wantModel(next, out), wish, out);
  // Already asking (a preview, say): the answer will start it.
  if (s.devices !== 'requesting') out.push({ kind: 'requestDevices' });
  return wantModel({ ...next, pendingStart: wish, devices: 'requesting', deviceError: null }, out);
}

function devices(s: State, devices: State['devices'], error: string | null, out: Command[]): State {
  const next = { ...s, devices, deviceError: error };
  if (devices !== 'on') return { ...next, pendingStart: null };
  const wish = s.pendingStart;
  if (!wish || s.phase !== 'idle' || s.link !== 'open') return { ...next, pendingStart: null };
  return enqueue({ ...next, pendingStart: null }, wish, out);
}

function say(s: State, raw: string, out: Command[]): State {
  const sid = s.session?.sessionId;
  const text = raw.trim().slice(0, MAX_TEXT_LENGTH);
  if (!sid || !text || s.link !== 'open') return s;
  out.push({ kind: 'send', frame: { type: 'message', sessionId: sid, text } });
  return { ...addLine(s, 'me', text), meTyping: false };
}
