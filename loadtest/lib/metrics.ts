/**
 * The custom metrics every scenario reports (names fixed by the load-test issue), plus the few
 * that explain a result: arrivals, dropped arrivals, expected races, and the load generator's own
 * lag. Declared once here so every script and the smoke share them.
 */
import { Counter, Trend } from 'k6/metrics';

/** From entering the queue (enqueue sent, or the frame that re-queued us) to `matched`. */
export const timeToMatch = new Trend('time_to_match', true);
/** From entering the queue to `connected` (both sides sent `ready`). */
export const timeToConnected = new Trend('time_to_connected', true);
/** A chat line to the partner and its echo back: two relays through the server. */
export const messageRtt = new Trend('message_rtt', true);
/** Pairs as the clients saw them: each side of a `matched` adds one half. */
export const pairs = new Counter('pairs');
/** Anything the protocol does not allow here: error frames, unexpected frames or closes. */
export const protocolErrors = new Counter('protocol_errors');
/** Users entering the queue, tagged `kind: enqueue` (an arrival) or `requeue` (partner left). */
export const arrivals = new Counter('arrivals');
/** Arrivals due while this VU had no idle user to send: the pool was too small or stuck. */
export const droppedArrivals = new Counter('dropped_arrivals');
/** `stale_session` answers to a skip that crossed the partner's: an expected race, not an error. */
export const staleSessions = new Counter('stale_sessions');
/** Raised once by a VU whose service level stayed broken (see guard.ts); aborts ramps. */
export const overload = new Counter('overload');
/** From creating the socket to its `hello` frame. */
export const timeToHello = new Trend('time_to_hello', true);
/** Sockets that reached `hello`, and those that failed before it. */
export const connects = new Counter('connects');
/** Sockets that failed before `hello` (refused, closed, or `hello` too late). */
export const connectErrors = new Counter('connect_errors');
/**
 * How late this VU's JavaScript handled a frame after k6 read it off the socket (sampled). When it
 * grows, the load generator, not the server, is the bottleneck.
 */
export const clientLag = new Trend('client_lag', true);
