/**
 * Per-socket flood control: a token bucket for frames, and strikes for frames that were refused
 * (malformed, unknown, invalid or over the rate). Too many strikes in a window closes the socket.
 */
import type { Limits } from '../config.ts';

const STRIKE_WINDOW_MS = 10_000;

export class Limiter {
  private tokens: number;
  private last: number;
  private strikes = 0;
  private windowStart: number;

  constructor(
    private readonly limits: Omit<Limits, 'sendBufferBytes'>,
    now: number,
  ) {
    this.tokens = limits.frameBurst;
    this.last = now;
    this.windowStart = now;
  }

  /** Takes one token; returns 0 when allowed, else how long until the next token (ms). */
  take(now: number): number {
    const { framesPerSecond, frameBurst } = this.limits;
    this.tokens = Math.min(frameBurst, this.tokens + ((now - this.last) * framesPerSecond) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / framesPerSecond);
  }

  /** Records a refused frame; true when the socket has crossed the abuse threshold. */
  strike(now: number): boolean {
    if (now - this.windowStart > STRIKE_WINDOW_MS) {
      this.windowStart = now;
      this.strikes = 0;
    }
    this.strikes += 1;
    return this.strikes > this.limits.abuseThreshold;
  }
}
