/**
 * ioredis 5.9 traces every command through node:diagnostics_channel unless its tracing channel
 * says `hasSubscribers === false`. Bun's TracingChannel has no `hasSubscribers` at all, which
 * ioredis reads as "someone listens": each command then pays for copying and redacting its
 * arguments and for a wrapping promise (~2% of the server's CPU under churn, measured), with
 * nobody listening. This gives Bun's tracing channels the property, computed from their five
 * channels as Node does, before ioredis creates its own. Import it before ioredis.
 */
import dc from 'node:diagnostics_channel';

type Tracing = ReturnType<typeof dc.tracingChannel>;
const make = dc.tracingChannel.bind(dc);

if (typeof dc.tracingChannel === 'function' && !('hasSubscribers' in make('serendip:probe'))) {
  (dc as { tracingChannel: typeof dc.tracingChannel }).tracingChannel = ((name: string) => {
    const ch: Tracing = make(name as never);
    Object.defineProperty(ch, 'hasSubscribers', {
      get: () => [ch.start, ch.end, ch.asyncStart, ch.asyncEnd, ch.error].some((c) => c.hasSubscribers),
    });
    return ch;
  }) as typeof dc.tracingChannel;
}
