/**
 * One frame tap made of several (metrics, the /admin trail, the session event log), so the
 * gateway calls one object. Each part implements only what it watches; the lists are built once.
 */
import type { FrameTap } from '../ports.ts';

/** Combines taps; a part that leaves a method out is not called for it. */
export function composeTaps(parts: Partial<FrameTap>[]): FrameTap {
  const bound = <K extends keyof FrameTap>(k: K) => parts.flatMap((p) => (p[k] ? [p[k].bind(p) as FrameTap[K]] : []));
  const frameIn = bound('frameIn');
  const frameOut = bound('frameOut');
  const socketClosed = bound('socketClosed');
  const released = bound('released');
  return {
    frameIn: (userId, type) => {
      for (const f of frameIn) f(userId, type);
    },
    frameOut: (userId, type, count) => {
      for (const f of frameOut) f(userId, type, count);
    },
    socketClosed: (userId, reason) => {
      for (const f of socketClosed) f(userId, reason);
    },
    released: (userId, conn) => {
      for (const f of released) f(userId, conn);
    },
  };
}
