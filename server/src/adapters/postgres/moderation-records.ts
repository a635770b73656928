/** Reports and bans as /admin reads and changes them, in PostgreSQL; every change refreshes the ban cache. */
import type { BanView, ModerationRecords, ReportView } from '../../ports.ts';
import type { Db } from './db.ts';

type BanRow = {
  id: string;
  at: number;
  device_id: string | null;
  ip_hash: string | null;
  until: number | null;
  reason: string;
  created_by: string;
};

const banView = (r: BanRow): BanView => ({
  id: Number(r.id),
  at: Number(r.at),
  device: r.device_id,
  ipHash: r.ip_hash,
  until: r.until === null ? null : Number(r.until),
  reason: r.reason,
  by: r.created_by,
});

export class PostgresModerationRecords implements ModerationRecords {
  constructor(
    private readonly sql: Db,
    /** Called after a ban or a lift, so this instance enforces it at once (the others within their refresh). */
    private readonly changed: () => Promise<void>,
  ) {}

  async reports(limit: number): Promise<ReportView[]> {
    const rows = await this.sql<
      {
        id: string;
        at: number;
        session_id: string;
        category: string | null;
        reason: string;
        reporter_device: string | null;
        reported_device: string | null;
        reported_ip_hash: string | null;
      }[]
    >`SELECT id, extract(epoch FROM created_at)::float8 * 1000 AS at, session_id, category, reason,
             reporter_device, reported_device, reported_ip_hash
      FROM reports ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      sessionId: r.session_id,
      category: r.category ?? 'other',
      reason: r.reason,
      reporterDevice: r.reporter_device,
      reportedDevice: r.reported_device,
      reportedIpHash: r.reported_ip_hash,
    }));
  }

  async bans(): Promise<BanView[]> {
    const rows = await this.sql<BanRow[]>`
      SELECT id, extract(epoch FROM created_at)::float8 * 1000 AS at, device_id, ip_hash,
             extract(epoch FROM expires_at)::float8 * 1000 AS until, reason, created_by
      FROM bans WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        AND (device_id IS NOT NULL OR ip_hash IS NOT NULL)
      ORDER BY created_at DESC LIMIT 500`;
    return rows.map(banView);
  }

  async ban(
    target: { device: string } | { ipHash: string },
    minutes: number | null,
    reason: string,
    by: string,
  ): Promise<BanView> {
    const device = 'device' in target ? target.device : null;
    const ipHash = 'ipHash' in target ? target.ipHash : null;
    const [row] = await this.sql<BanRow[]>`
      INSERT INTO bans (device_id, ip_hash, reason, expires_at, created_by)
      VALUES (${device}, ${ipHash}, ${reason},
              CASE WHEN ${minutes}::int IS NULL THEN NULL ELSE now() + make_interval(mins => ${minutes}::int) END, ${by})
      RETURNING id, extract(epoch FROM created_at)::float8 * 1000 AS at, device_id, ip_hash,
                extract(epoch FROM expires_at)::float8 * 1000 AS until, reason, created_by`;
    await this.changed();
    if (!row) throw new Error('the ban was not written');
    return banView(row);
  }

  async lift(id: number, by: string): Promise<boolean> {
    const rows = await this.sql`UPDATE bans SET lifted_at = now(), reason = reason || ' (lifted by ' || ${by} || ')'
      WHERE id = ${id} AND lifted_at IS NULL RETURNING id`;
    await this.changed();
    return rows.length > 0;
  }
}
