/**
 * Ports: the small interfaces the session actors and the gateway talk through.
 * One adapter per technology implements each (adapters/redis, adapters/memory, adapters/postgres, ...).
 */
import type { Rate } from './config.ts';
import type { ClientFrameType, LeaveReason, Mode, ServerFrame, ServerFrameType } from './protocol.ts';

/** Who a connection is, for moderation: the device (its cookie) and the keyed hash of its address. */
export interface Who {
  device: string;
  ipHash: string;
}

/** What a waiting user brings to the queue. */
export interface Ticket extends Who {
  userId: string;
  /** Identifies this connection of the user; a newer connection takes the user over. */
  conn: string;
  /** 'enqueue': the user pressed Start (counted against its device's enqueue limit); 'again': a re-queue or a retry. */
  origin: 'enqueue' | 'again';
  /** 'shadow': a device reported by several others, paired only with its likes. */
  pool: 'main' | 'shadow';
  mode: Mode;
  interests: string[];
  /** When the user entered the queue (ms epoch); the queue is ordered by it. */
  since: number;
  /** Id to give the session if this call forms a pair. */
  sessionId: string;
  /**
   * The session this user leaves as it queues again (its skip, report or ready timeout), closed
   * by this same call before anything else, as `close(sessionId, userId, reason)` would: one
   * round trip instead of two. The claim reports it in `ended` (unless it was closed already).
   */
  closing?: { sessionId: string; reason: LeaveReason };
}

/** A session as one of its two users sees it. */
export interface SessionInfo {
  sessionId: string;
  mode: Mode;
  partnerId: string;
  /** The partner's device (what a report names). */
  partnerDevice: string;
  /** Instance that holds the partner's socket (for relaying chat). */
  partnerInstance: string;
  commonInterests: string[];
  startedAt: number;
}

export type ClaimResult = (
  | { kind: 'matched'; session: SessionInfo; formed: boolean }
  /** Queued; `retryInMs` says when a deferred candidate may become compatible (null: never by itself). */
  | { kind: 'queued'; retryInMs: number | null }
  /** Not queued: the device skipped too fast (cooling down) or started too often; it may again in `retryInMs`. */
  | { kind: 'limited'; retryInMs: number }
) & {
  /** Sessions this claim closed: the ticket's `closing`, and one left over from an earlier wait or connection. */
  ended?: ClosedSession[];
};

/** A closed session, as the store recorded it; returned only to the one call that closed it. */
export interface ClosedSession {
  sessionId: string;
  userA: string;
  userB: string;
  mode: Mode;
  startedAt: number;
  endedAt: number;
  endedBy: string;
  reason: LeaveReason;
}

/**
 * The system closing a session rather than one of its users through its own actor: e.g. the media
 * server reported that `member` left the room, or that the room finished (no member). Both users
 * are told, since neither actor asked for the close: the member named gets `media.left` (it was
 * its own media that left), everyone else `peer.left`.
 */
export interface SystemCloser {
  /** Names the source; recorded as `endedBy` when no member is named. */
  system: string;
  /** The member the close is on behalf of (recorded as `endedBy`); must be a member of the session. */
  member?: string;
}

/** Who closes a session: one of its users (its partner is told) or the system (both are told). */
export type Closer = string | SystemCloser;

/**
 * The waiting queue and the sessions. Every method is atomic in the store and idempotent, so a
 * retried or repeated call never pairs anyone twice or closes a session twice.
 */
export interface Matcher {
  /** Claims the longest-waiting compatible user, or queues the caller. */
  claim(ticket: Ticket): Promise<ClaimResult>;
  /** Marks the user ready; resolves `connected` once both are (the partner is told the first time). */
  ready(sessionId: string, userId: string): Promise<{ connected: boolean }>;
  /**
   * Compare-and-set close by a member (the partner is told) or by the system (both are told).
   * Null when the session was not open, or the closer (or the member it names) is not in it.
   */
  close(sessionId: string, by: Closer, reason: LeaveReason): Promise<ClosedSession | null>;
  /**
   * Takes the user out of the queue and closes a session it is in (with `reason`), unless a newer
   * connection (`conn`) owns the user by now.
   */
  leave(userId: string, conn: string, reason: LeaveReason): Promise<ClosedSession | null>;
}

/** Events that reach a user's actor from the store or from its partner, wherever that partner is. */
export type PeerEvent =
  /**
   * Someone's claim took this user from the queue. `since` names the wait it was taken from (the
   * `since` of that queue entry): a user who has left that wait (cancelled, then queued again) by
   * the time this arrives must not take it for its current one.
   */
  | { type: 'queue.matched'; session: SessionInfo; since: number }
  | { type: 'peer.left'; sessionId: string; reason: LeaveReason }
  /** The system closed the session because this user's own media connection left it. */
  | { type: 'media.left'; sessionId: string }
  | { type: 'session.connected'; sessionId: string }
  | { type: 'peer.message'; sessionId: string; text: string; at: number }
  | { type: 'peer.typing'; sessionId: string; typing: boolean }
  /** The partner resumed on another instance: relay chat there from now on. */
  | { type: 'peer.moved'; sessionId: string; instance: string }
  /** This user resumed on `instance`, which took the session over: let go, quietly. */
  | { type: 'session.handedOver'; sessionId: string; instance: string };

/** Delivers a peer event to a local user's actor; does nothing if the user is not on this instance. */
export type Deliver = (userId: string, event: PeerEvent) => void;

/** Where actors' frames go: the gateway's registry of sockets. */
export interface Outbox {
  send(userId: string, frame: ServerFrame): void;
  closeSocket(userId: string, code: number, reason: string): void;
  /** The actor of (userId, conn) is finished. */
  release(userId: string, conn: string): void;
}

/**
 * Watches the gateway's edges: every frame in and out, every socket close, every actor released.
 * Metrics count through it, the /admin trail and the session log lines record through it, so the
 * gateway knows none of them. Called on the hot path: implementations must be cheap.
 */
export interface FrameTap {
  /** A client frame from `userId` was accepted (its type), or refused before it had one (null). */
  frameIn(userId: string, type: ClientFrameType | null): void;
  /** `count` frames of `type` went out: to `userId`, or to every socket (null) for a broadcast. */
  frameOut(userId: string | null, type: ServerFrameType, count: number): void;
  /** The socket of `userId` closed: by the client, or by the server with its reason. */
  socketClosed(userId: string, reason: string): void;
  /** The actor of (userId, conn) finished and was forgotten. */
  released(userId: string, conn: string): void;
}

/**
 * Resume across instances: a reconnect that lands on another instance than the one holding the
 * user's session takes the session over there (no sticky sessions needed).
 */
export interface Handover {
  /**
   * Takes over the session `conn` of `userId` holds on another instance, if it is still held and
   * open: resolves with it as this user sees it (its partner is told where chat goes now, the old
   * instance lets its actor go); null when there is nothing to take over.
   */
  adopt(userId: string, conn: string): Promise<SessionInfo | null>;
}

/** Connection limits per address hash (from config.ts's SafetyConfig). */
export interface AdmissionLimits {
  /** Open sockets per address, across all instances. */
  open: number;
  /** Connects per address before a solved bot check is needed. */
  beforeChallenge: Rate;
  /** Connects per address even with a solved bot check. */
  hard: Rate;
}

/** Why a connection was not let in, and when to try again. */
export type Admit = { ok: true } | { ok: false; why: 'challenge' | 'busy' | 'full'; retryAfterMs: number };

/**
 * Connection limits per address hash, across all instances: how many sockets it holds open, how
 * often it connects (past a first rate a solved bot check is needed, past a second nothing helps),
 * and the bot-check solutions already used.
 */
export interface Admission {
  /** A new connection from `ipHash`, with or without a solved bot check: counted if let in. */
  admit(ipHash: string, passed: boolean): Promise<Admit>;
  /** A connection let in earlier has closed. */
  left(ipHash: string): void;
  /** Whether a connection from `ipHash` would need a solved bot check now (counts nothing). */
  needsChallenge(ipHash: string): Promise<boolean>;
  /** Marks a bot-check solution used; false when it was used before (a replay). */
  redeem(id: string, ttlMs: number): Promise<boolean>;
}

/** Relays chat to a partner, on this instance or another. */
export interface Relay {
  relay(toUserId: string, toInstance: string, event: PeerEvent): void;
}

/** Counts shown to users in `stats` frames and in metrics. */
export interface Counts {
  online: number;
  waiting: number;
}

/** What a beat learns: the totals, and whether the store lost this instance's users meanwhile. */
export interface Beat extends Counts {
  /**
   * 'swept': the other instances took this one for dead (it stopped or was cut off past the TTL)
   * and swept its users; 'reset': the store lost everything (Redis restarted empty). Either way
   * the queue entries and sessions of this instance's users are gone and they must be told.
   */
  lost: 'swept' | 'reset' | null;
  /** Other instances this beat found dead (they stopped beating past the TTL): `sweep` clears them. */
  dead: string[];
}

/** Presence across instances: this instance's liveness, totals, and the sweep of dead instances. */
export interface Presence {
  /** Publishes this instance's local user count and returns the totals across all instances. */
  beat(localOnline: number): Promise<Beat>;
  /** Closes the sessions and queue entries of instances that stopped beating. */
  sweep(): Promise<ClosedSession[]>;
}

/** A session that just formed, as the session log records it (`userB` claimed `userA`). */
export interface StartedSession {
  sessionId: string;
  userA: string;
  userB: string;
  mode: Mode;
  startedAt: number;
}

/** A report one user filed about its partner. */
export interface Report {
  sessionId: string;
  reporter: string;
  reported: string;
  reporterDevice: string;
  reportedDevice: string;
  /** `<category>` or `<category>: <text>` (see REPORT_CATEGORIES), else free text. */
  reason: string;
  at: number;
}

/** A connection seen: which device and address hash a user id stood for. */
export interface Seen extends Who {
  userId: string;
  at: number;
}

/** One fact that must reach the durable record (PostgreSQL). */
export type JournalEntry =
  | { kind: 'started'; session: StartedSession }
  | { kind: 'ended'; session: ClosedSession }
  | { kind: 'reported'; report: Report }
  | { kind: 'seen'; seen: Seen };

/** A journal entry as read back, with the id that acknowledges it. */
export interface JournalRecord {
  id: string;
  /** Null when the entry could not be read: it is acknowledged and dropped, never retried. */
  entry: JournalEntry | null;
}

/**
 * What must reach PostgreSQL, kept where it survives this process: the store writes each session's
 * start and end in the same atomic step that forms or closes it, so a crash of the instance loses
 * none (Redis: a stream any instance can take over; in-process: a queue, for the single instance).
 * A recorder reads, writes to PostgreSQL, then acknowledges; what is never acknowledged is read
 * again, so writes must be idempotent.
 */
export interface Journal {
  /** Adds an entry that no store step writes itself (a report). */
  append(entry: JournalEntry): Promise<void>;
  /** Up to `max` entries not yet acknowledged: new ones, and ones a dead reader left. */
  read(max: number): Promise<JournalRecord[]>;
  /** These are in PostgreSQL (or rejected for good): never read again. */
  ack(ids: string[]): Promise<void>;
  /** Entries not yet acknowledged, by any reader. */
  backlog(): Promise<number>;
}

/** A ban in force: until when (ms epoch; null for good) and why. */
export interface Ban {
  until: number | null;
  reason: string;
}

/** A report as /admin lists it. */
export interface ReportView {
  id: number;
  at: number;
  sessionId: string;
  category: string;
  reason: string;
  reporterDevice: string | null;
  reportedDevice: string | null;
  reportedIpHash: string | null;
}

/** A ban as /admin lists it. */
export interface BanView {
  id: number;
  at: number;
  device: string | null;
  ipHash: string | null;
  until: number | null;
  reason: string;
  by: string;
}

/** What /admin reads and changes of moderation (kept in PostgreSQL). */
export interface ModerationRecords {
  /** The latest reports, newest first. */
  reports(limit: number): Promise<ReportView[]>;
  /** The bans in force. */
  bans(): Promise<BanView[]>;
  /** Bans a device or an address hash, for `minutes` (null: for good). */
  ban(
    target: { device: string } | { ipHash: string },
    minutes: number | null,
    reason: string,
    by: string,
  ): Promise<BanView>;
  /** Lifts a ban; false when there was none in force with this id. */
  lift(id: number, by: string): Promise<boolean>;
}

/** Reports, blocks and bans. */
export interface Moderation {
  /** Files a report; it is journaled, so it reaches PostgreSQL even if the reporter leaves at once. */
  report(report: Omit<Report, 'at'>): void;
  /** The ban on this device or address, if any. */
  banOf(who: Who): Ban | null;
  /** Whether this device is to meet only others like it (reported by several devices). */
  shadowed(device: string): boolean;
}

/** Media room access for a session. */
export interface Media {
  /** True when the media server is configured and answered its last check. */
  available(): boolean;
  /** Room name, token and URL for one user of one session; minted locally, no network. */
  grant(sessionId: string, userId: string): { room: string; token: string; url: string } | null;
  /** Deletes the room so both sides leave the media at once. Best effort, off the hot path. */
  closeRoom(sessionId: string): void;
}

/**
 * Where instances share their /admin views: each publishes its own every refresh and reads
 * everyone's. A view older than the board's TTL belongs to an instance that stopped: it is left out.
 */
export interface AdminBoard<V extends { instance: string; at: number }> {
  publish(view: V): Promise<void>;
  /** The live views of every instance, this one's included. */
  read(): Promise<V[]>;
}

/** A media-server event that matters to sessions, after its signature was verified. */
export type MediaEvent = { id: string } & (
  | {
      kind: 'participant_left';
      /** The room: our sessionId. */
      room: string;
      /** The participant: our userId. */
      identity: string;
      /** The participant was replaced by a newer connection of the same identity (a rejoin), or moved between media nodes. */
      replaced: boolean;
    }
  | { kind: 'room_finished'; room: string }
  | { kind: 'other'; name: string }
);

/** Verifies and decodes media-server webhooks. */
export interface MediaWebhook {
  /** Rejects (WebhookRejected) when the signature over the raw `body` does not verify. */
  verify(body: string, authorization: string | null): Promise<MediaEvent>;
}
