/**
 * Cross-instance events over Redis pub/sub: each instance listens on its own channel
 * (`{prefix}ch:<instance>`); the Lua scripts and `relay` publish to the partner's instance.
 */
import type Redis from 'ioredis';
import type { PeerEvent } from '../../ports.ts';
import type { LeaveReason, Mode } from '../../protocol.ts';

/** The JSON shape on the channel; the scripts write the same short keys. */
interface BusMessage {
  k: 'matched' | 'left' | 'mediaLeft' | 'connected' | 'msg' | 'typing' | 'moved' | 'handedOver';
  to: string;
  sid: string;
  conn?: string;
  mode?: Mode;
  partner?: string;
  /** matched: the partner's device. */
  pdev?: string;
  pinst?: string;
  common?: string;
  at?: number;
  /** matched: the wait the user was taken from (its queue entry's `since`, as Redis keeps it). */
  since?: string | number;
  reason?: LeaveReason;
  /** moved, handedOver: the instance that holds the user now. */
  inst?: string;
  text?: string;
  typing?: boolean;
}

export const channelOf = (prefix: string, instance: string) => `${prefix}ch:${instance}`;

/** Splits the "\n"-joined interest list the scripts store. */
export const splitTags = (joined: string | undefined): string[] => (joined ? joined.split('\n') : []);

/** Encodes a chat relay for the partner's channel. */
export function encodeRelay(to: string, event: PeerEvent): string | null {
  if (event.type === 'peer.message') {
    return JSON.stringify({ k: 'msg', to, sid: event.sessionId, text: event.text, at: event.at } satisfies BusMessage);
  }
  if (event.type === 'peer.typing') {
    return JSON.stringify({ k: 'typing', to, sid: event.sessionId, typing: event.typing } satisfies BusMessage);
  }
  return null;
}

/** Decodes one channel message into the user it is for and the event; null if malformed. */
export function decodeBus(raw: string): { to: string; event: PeerEvent } | null {
  let m: BusMessage;
  try {
    m = JSON.parse(raw) as BusMessage;
  } catch {
    return null;
  }
  if (typeof m?.to !== 'string' || typeof m.sid !== 'string') return null;
  switch (m.k) {
    case 'matched':
      return {
        to: m.to,
        event: {
          type: 'queue.matched',
          session: {
            sessionId: m.sid,
            mode: m.mode ?? 'video',
            partnerId: m.partner ?? '',
            partnerDevice: m.pdev ?? m.partner ?? '',
            partnerInstance: m.pinst ?? '',
            commonInterests: splitTags(m.common),
            startedAt: m.at ?? 0,
          },
          since: Number(m.since ?? Number.NaN),
        },
      };
    case 'left':
      return { to: m.to, event: { type: 'peer.left', sessionId: m.sid, reason: m.reason ?? 'disconnect' } };
    case 'mediaLeft':
      return { to: m.to, event: { type: 'media.left', sessionId: m.sid } };
    case 'connected':
      return { to: m.to, event: { type: 'session.connected', sessionId: m.sid } };
    case 'msg':
      return { to: m.to, event: { type: 'peer.message', sessionId: m.sid, text: m.text ?? '', at: m.at ?? 0 } };
    case 'typing':
      return { to: m.to, event: { type: 'peer.typing', sessionId: m.sid, typing: m.typing === true } };
    case 'moved':
      return { to: m.to, event: { type: 'peer.moved', sessionId: m.sid, instance: m.inst ?? '' } };
    case 'handedOver':
      return { to: m.to, event: { type: 'session.handedOver', sessionId: m.sid, instance: m.inst ?? '' } };
    default:
      return null;
  }
}

/**
 * Subscribes `sub` (a dedicated connection) to this instance's channel. `onResync` runs after a
 * reconnect, because messages published while the subscription was down are gone.
 */
export async function listen(
  sub: Redis,
  channel: string,
  onEvent: (to: string, event: PeerEvent) => void,
  onResync: () => void,
): Promise<void> {
  sub.on('message', (_channel: string, raw: string) => {
    const decoded = decodeBus(raw);
    if (decoded) onEvent(decoded.to, decoded.event);
  });
  let first = sub.status !== 'ready';
  sub.on('ready', () => {
    if (first) {
      first = false;
      return;
    }
    onResync();
  });
  await sub.subscribe(channel);
}
