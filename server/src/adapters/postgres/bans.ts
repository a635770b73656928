/**
 * Bans (by device or by address hash) and the shadow pool, read from PostgreSQL into memory so the
 * `enqueue` path never waits on a query: refreshed every few seconds, and at once when reports
 * were written (an auto-ban may have followed) or an admin banned or lifted a ban.
 */
import type { Ban, Who } from '../../ports.ts';
import type { Db } from './db.ts';

interface BanRow {
  device_id: string | null;
  ip_hash: string | null;
  until: number | null;
  reason: string;
}

export class PostgresBans {
  private byDevice = new Map<string, Ban>();
  private byAddress = new Map<string, Ban>();
  private shadow = new Set<string>();
  /** Whether a refresh has run: the first one finds every ban "new", and those are enforced at hello. */
  private loaded = false;
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Called with what a refresh found newly banned, so those already connected are sent away. */
  onBanned: (fresh: { devices: string[]; ipHashes: string[] }) => void = () => {};

  constructor(
    private readonly sql: Db,
    /** Devices reported by this many distinct devices within a week are shadowed (0: no shadow pool). */
    private readonly shadowReporters = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the bans, then keeps them fresh every `everyMs`; a failed refresh keeps the last copy. */
  async start(everyMs = 10_000, onError: (error: unknown) => void = () => {}): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => this.refresh().catch(onError), everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The ban in force on this device or address (the longer one if both are banned). */
  banOf(who: Who): Ban | null {
    const now = this.now();
    const live = (b: Ban | undefined) => (b && (b.until === null || b.until > now) ? b : null);
    const d = live(this.byDevice.get(who.device));
    const a = live(this.byAddress.get(who.ipHash));
    if (!d || !a) return d ?? a;
    return d.until === null || (a.until !== null && d.until >= a.until) ? d : a;
  }

  shadowed(device: string): boolean {
    return this.shadow.has(device);
  }

  async refresh(): Promise<void> {
    const rows = await this.sql<BanRow[]>`
      SELECT device_id, ip_hash, extract(epoch FROM expires_at)::float8 * 1000 AS until, reason
      FROM bans WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        AND (device_id IS NOT NULL OR ip_hash IS NOT NULL)`;
    const byDevice = new Map<string, Ban>();
    const byAddress = new Map<string, Ban>();
    const keep = (map: Map<string, Ban>, key: string | null, ban: Ban) => {
      const had = key === null ? undefined : map.get(key);
      if (key !== null && (!had || (had.until !== null && (ban.until === null || ban.until > had.until)))) {
        map.set(key, ban);
      }
    };
    for (const r of rows) {
      const ban = { until: r.until === null ? null : Number(r.until), reason: r.reason };
      keep(byDevice, r.device_id, ban);
      keep(byAddress, r.ip_hash, ban);
    }
    const devices = [...byDevice.keys()].filter((k) => !this.byDevice.has(k));
    const ipHashes = [...byAddress.keys()].filter((k) => !this.byAddress.has(k));
    const initial = !this.loaded;
    this.byDevice = byDevice;
    this.byAddress = byAddress;
    this.loaded = true;
    if (!initial && (devices.length > 0 || ipHashes.length > 0)) this.onBanned({ devices, ipHashes });
    if (this.shadowReporters > 0) {
      const shadowed = await this.sql<{ d: string }[]>`
        SELECT reported_device AS d FROM reports
        WHERE created_at > now() - interval '7 days' AND reported_device IS NOT NULL
        GROUP BY reported_device HAVING count(DISTINCT reporter_device) >= ${this.shadowReporters}`;
      this.shadow = new Set(shadowed.map((r) => r.d));
    }
  }
}
