/**
 * `POST /livekit/webhook`: LiveKit's events about rooms. The signature covers the exact bytes of
 * the body, so the raw text is verified before anything parses it; anything that does not verify
 * (or any webhook at all when LiveKit is not configured) is answered 401 and changes nothing.
 */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { MediaOutcome } from '../matching/media-events.ts';
import type { MediaEvent, MediaWebhook } from '../ports.ts';

export interface WebhookDeps {
  /** Null when LiveKit is not configured: no secret to verify with. */
  verifier: MediaWebhook | null;
  handle: (event: MediaEvent) => Promise<MediaOutcome>;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

/** LiveKit's events are a few KB; anything far larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

export function mountWebhook(app: Hono, d: WebhookDeps): void {
  app.post(
    '/livekit/webhook',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: 'body too large' }, 413) }),
    async (c) => {
      if (!d.verifier) return c.json({ error: 'LiveKit is not configured: webhooks cannot be verified' }, 401);
      const body = await c.req.text();
      let event: MediaEvent;
      try {
        event = await d.verifier.verify(body, c.req.header('authorization') ?? null);
      } catch (error) {
        d.log.warn({ err: (error as Error).message }, 'LiveKit webhook rejected');
        return c.json({ error: 'signature does not verify' }, 401);
      }
      try {
        const outcome = await d.handle(event);
        if (outcome === 'closed' && event.kind !== 'other') {
          d.log.info({ sessionId: event.room, event: event.kind }, 'LiveKit webhook closed a session');
        }
        return c.json({ ok: true, outcome });
      } catch (error) {
        // 503 lets LiveKit retry; the event id is not remembered, so the retry is processed.
        d.log.error({ err: (error as Error).message, event: event.kind }, 'LiveKit webhook could not be applied');
        return c.json({ error: 'unavailable' }, 503);
      }
    },
  );
}
