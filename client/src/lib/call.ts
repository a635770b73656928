/**
 * The only LiveKit I/O of the client: our camera and microphone, joining and leaving a session's
 * room, and putting the stranger's video and sound on the page.
 *
 * Track handlers are registered before `connect`, and a track that arrives before its `<video>` is
 * on the page is kept and attached when the element binds: video never goes missing because a
 * handler or an element came too late.
 */
import type { ConnectionState, LocalTrack, RemoteParticipant, RemoteTrack, Room } from 'livekit-client';
import type { Devices, Media } from './state.ts';

type LiveKit = typeof import('livekit-client');

let loading: Promise<LiveKit> | null = null;
/** livekit-client is most of the bundle: it loads when video is first wanted, text-only users never pay for it. */
const livekit = (): Promise<LiveKit> => {
  loading ??= import('livekit-client');
  return loading;
};

export interface CallEvents {
  onMedia(media: Media): void;
  /** The stranger's video is (or is no longer) on screen. */
  onPeerVideo(present: boolean): void;
  /** LiveKit rates the stranger's connection as lost (it reacts long before the participant times out). */
  onPeerLost(lost: boolean): void;
  /** The browser blocked sound until the user interacts; `startAudio` after a click fixes it. */
  onAudioBlocked(blocked: boolean): void;
}

export type DeviceResult = { devices: 'on' } | { devices: Exclude<Devices, 'on'>; error: string };

const STATES: Record<`${ConnectionState}`, Media> = {
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  signalReconnecting: 'reconnecting',
  disconnected: 'none',
};

export class Call {
  private lk: LiveKit | null = null;
  /** Bumped by every leave: a join that finds it changed was overtaken (the user moved on). */
  private generation = 0;
  private local: LocalTrack[] = [];
  private room: Room | null = null;
  private readonly localEls = new Set<HTMLVideoElement>();
  private remoteEl: HTMLVideoElement | null = null;
  private remoteVideo: RemoteTrack | null = null;
  private readonly audio = new Map<RemoteTrack, HTMLMediaElement>();

  constructor(private readonly events: CallEvents) {}

  /** Asks for the camera and microphone once; later calls reuse the tracks. */
  async requestDevices(): Promise<DeviceResult> {
    if (this.local.length > 0) return { devices: 'on' };
    const lk = await this.load();
    try {
      this.local = await lk.createLocalTracks({ audio: true, video: { resolution: lk.VideoPresets.h540.resolution } });
      this.attachLocal();
      return { devices: 'on' };
    } catch (error) {
      const failure = lk.MediaDeviceFailure.getFailure(error);
      const message = (error as Error)?.message ?? String(error);
      if (failure === lk.MediaDeviceFailure.PermissionDenied) return { devices: 'denied', error: message };
      if (failure === lk.MediaDeviceFailure.NotFound) return { devices: 'missing', error: message };
      return { devices: 'failed', error: message };
    }
  }

  /** Shows our camera in `el` (the landing preview, the call's small picture); returns the undo. */
  showLocal(el: HTMLVideoElement): () => void {
    this.localEls.add(el);
    this.attachLocal();
    return () => {
      this.localEls.delete(el);
      this.localVideo()?.detach(el);
    };
  }

  /** Shows the stranger's video in `el`, now or when it arrives; returns the undo. */
  showRemote(el: HTMLVideoElement): () => void {
    this.remoteEl = el;
    if (this.remoteVideo) this.remoteVideo.attach(el);
    return () => {
      if (this.remoteEl !== el) return;
      this.remoteVideo?.detach(el);
      this.remoteEl = null;
    };
  }

  /** Joins the room and resolves once connected (publishing continues in the background). */
  async join(url: string, token: string): Promise<void> {
    this.leave();
    const generation = this.generation;
    const lk = await this.load();
    if (generation !== this.generation) throw new Error('left before the call connected');
    const room = new lk.Room({
      adaptiveStream: true,
      dynacast: true,
      // Two people per room: one layer is enough, and encoding one saves phones' batteries.
      publishDefaults: { simulcast: false },
      stopLocalTrackOnUnpublish: false,
    });
    this.room = room;
    this.listen(lk, room);
    await room.connect(url, token, { autoSubscribe: true });
    if (this.room !== room) throw new Error('left before the call connected');
    for (const p of room.remoteParticipants.values()) this.adopt(p);
    for (const track of this.local) {
      room.localParticipant.publishTrack(track).catch((error: Error) => {
        console.warn('could not publish', track.source, error.message);
      });
    }
  }

  /** Leaves the room; the camera and microphone stay on for the next stranger. */
  leave(): void {
    this.generation++;
    const room = this.room;
    if (!room) return;
    this.room = null;
    this.dropRemote();
    void room.disconnect(false);
  }

  setMic(on: boolean): void {
    for (const t of this.local) if (t.kind === this.lk?.Track.Kind.Audio) void (on ? t.unmute() : t.mute());
  }

  setCamera(on: boolean): void {
    for (const t of this.local) if (t.kind === this.lk?.Track.Kind.Video) void (on ? t.unmute() : t.mute());
  }

  /** Call from a click handler: lets sound play where the browser blocked it. */
  async startAudio(): Promise<void> {
    await this.room?.startAudio();
    this.events.onAudioBlocked(false);
  }

  private async load(): Promise<LiveKit> {
    this.lk ??= await livekit();
    return this.lk;
  }

  private listen(lk: LiveKit, room: Room): void {
    const { RoomEvent } = lk;
    const mine = () => this.room === room;
    room.on(RoomEvent.ConnectionStateChanged, (state) => mine() && this.events.onMedia(STATES[state]));
    room.on(RoomEvent.Disconnected, (reason) => {
      // Deleted by the server: the session is over and its frame is on the way; anything else is a failure.
      if (mine()) this.events.onMedia(reason === lk.DisconnectReason.ROOM_DELETED ? 'none' : 'failed');
    });
    room.on(RoomEvent.TrackSubscribed, (track) => mine() && this.attachRemote(track));
    room.on(RoomEvent.TrackUnsubscribed, (track) => mine() && this.detachRemote(track));
    room.on(RoomEvent.ParticipantDisconnected, () => mine() && this.dropRemote());
    room.on(RoomEvent.ConnectionQualityChanged, (quality, participant) => {
      if (mine() && participant !== room.localParticipant)
        this.events.onPeerLost(quality === lk.ConnectionQuality.Lost);
    });
    room.on(RoomEvent.AudioPlaybackStatusChanged, () => mine() && this.events.onAudioBlocked(!room.canPlaybackAudio));
  }

  private adopt(p: RemoteParticipant): void {
    for (const pub of p.trackPublications.values()) if (pub.track && pub.isSubscribed) this.attachRemote(pub.track);
  }

  private attachRemote(track: RemoteTrack): void {
    if (track.kind === this.lk?.Track.Kind.Video) {
      if (this.remoteVideo === track) return;
      this.remoteVideo = track;
      if (this.remoteEl) track.attach(this.remoteEl);
      this.events.onPeerVideo(true);
    } else if (track.kind === this.lk?.Track.Kind.Audio && !this.audio.has(track)) {
      const el = track.attach();
      el.hidden = true;
      document.body.append(el);
      this.audio.set(track, el);
    }
  }

  private detachRemote(track: RemoteTrack): void {
    if (track === this.remoteVideo) {
      if (this.remoteEl) track.detach(this.remoteEl);
      this.remoteVideo = null;
      this.events.onPeerVideo(false);
    }
    const el = this.audio.get(track);
    if (el) {
      track.detach(el);
      el.remove();
      this.audio.delete(track);
    }
  }

  private dropRemote(): void {
    if (this.remoteVideo) this.detachRemote(this.remoteVideo);
    for (const track of [...this.audio.keys()]) this.detachRemote(track);
    this.events.onPeerLost(false);
  }

  private localVideo(): LocalTrack | undefined {
    return this.local.find((t) => t.kind === this.lk?.Track.Kind.Video);
  }

  private attachLocal(): void {
    const video = this.localVideo();
    if (video) for (const el of this.localEls) video.attach(el);
  }
}
