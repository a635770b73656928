/**
 * INSPECT=1: streams session actors to the Stately inspector with @statelyai/inspect — its server
 * relay (a local page that frames stately.ai/inspect and a WebSocket that fans events out) plus
 * its WebSocket inspector in this process. Development only: the relay listens on every interface.
 *
 * Only the actors the filter selects are handed to the library, so unselected users cost one set
 * lookup per inspection event; contexts and events are sanitized before they leave the process.
 */
import { createServer } from 'node:net';
import type { AnyActorRef, InspectionEvent, MachineContext } from 'xstate';
import type { InspectConfig } from '../config.ts';
import { selects } from './filter.ts';
import { composeInspection, inputUserId } from './hooks.ts';
import { sanitizeContext, sanitizeEvent } from './sanitize.ts';

export interface StatelyInspector {
  /** The inspection observer for every session actor. */
  observe(event: InspectionEvent): void;
  /** Streams this actor from now on, starting with its current snapshot (from /admin). */
  follow(actor: AnyActorRef): void;
  /** Whether this actor is being streamed. */
  follows(actor: AnyActorRef): boolean;
  /** The page a developer opens: the relay's bridge to the Stately inspector. */
  readonly pageUrl: string;
  /** True when this process runs the relay (false: it sends to one that was already there). */
  readonly relayHere: boolean;
  stop(): void;
}

const FORWARDED = new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);

/** True when nothing listens on the port yet, so this process can start the relay there. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** Starts the relay (unless one is configured or already listening) and the inspector. */
export async function startInspector(config: InspectConfig): Promise<StatelyInspector> {
  // Loaded only when INSPECT is on: a production instance never loads the library or `ws`.
  const { createWebSocketInspector } = await import('@statelyai/inspect');
  const { createInspectorServer } = await import('@statelyai/inspect/server');
  let relay: { stop(): void } | null = null;
  if (!config.relayUrl && (await portFree(config.port))) {
    relay = createInspectorServer({ port: config.port, autoOpen: false });
  }
  const url = config.relayUrl ?? `ws://127.0.0.1:${config.port}`;
  const inspector = createWebSocketInspector({
    url,
    // The library calls this for every snapshot, child actors' (which have no context) included.
    sanitizeContext: (context) => sanitizeContext(context) as MachineContext,
    sanitizeEvent,
  });
  const all = config.filter.kind === 'all';
  /** User actors (by their session id) being streamed; forgotten when they stop. */
  const selected = new Set<string>();

  return {
    pageUrl: `http://localhost:${relay ? config.port : new URL(url).port}`,
    relayHere: relay !== null,
    observe(event) {
      if (!FORWARDED.has(event.type)) return;
      if (!all) {
        // All user actors share the instance's actor system, so each is told apart by its own id
        // (for an event, the actor it is sent to).
        const id = event.actorRef.sessionId;
        if (event.type === '@xstate.actor') {
          if (selects(config.filter, inputUserId(event.actorRef))) selected.add(id);
        }
        if (!selected.has(id)) return;
        if (event.type === '@xstate.snapshot' && event.snapshot.status !== 'active') selected.delete(id);
      }
      inspector.inspect.next?.(event);
    },
    follow(actor) {
      if (all || selected.has(actor.sessionId)) return;
      selected.add(actor.sessionId);
      inspector.actor(actor, actor.getSnapshot());
    },
    follows: (actor) => all || selected.has(actor.sessionId),
    stop() {
      inspector.stop();
      relay?.stop();
    },
  };
}

/** INSPECT as the server uses it. */
export interface Inspection {
  /** The observer for the instance's actors; contained, so a failing observer never fails an actor. */
  observe: (event: InspectionEvent) => void;
  /** /admin's "inspect" button: stream this user's actor from now on. */
  followUser: (userId: string) => 'following' | 'unknown user';
  pageUrl: string;
  stop(): void;
}

/** Null when INSPECT is off; else the inspector started, announced in the log with the page to open. */
export async function inspection(
  config: InspectConfig | null,
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void },
  actorOf: (userId: string) => AnyActorRef | undefined,
): Promise<Inspection | null> {
  if (!config) return null;
  const inspector = await startInspector(config);
  const observe = composeInspection([(e) => inspector.observe(e)], (err) =>
    log.error({ err: (err as Error)?.message }, 'inspection observer failed'),
  );
  log.warn(
    { relayHere: inspector.relayHere, filter: config.filter.kind },
    `INSPECT is on (development only): open ${inspector.pageUrl} to watch actors in the Stately inspector`,
  );
  return {
    observe: observe ?? (() => {}),
    followUser: (userId) => {
      const actor = actorOf(userId);
      if (!actor) return 'unknown user';
      inspector.follow(actor);
      return 'following';
    },
    pageUrl: inspector.pageUrl,
    stop: () => inspector.stop(),
  };
}
