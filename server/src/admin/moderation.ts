/**
 * /admin's moderation routes (behind the same access rule as the rest of /admin): the latest
 * reports, the bans in force, ban a device or an address hash (with an expiry, or for good), lift
 * a ban. JSON, for the page and for scripts (`Authorization: Bearer <ADMIN_TOKEN>`).
 */
import type { Hono } from 'hono';
import type { ModerationRecords } from '../ports.ts';

const ID = /^[\w-]{4,64}$/;
const MAX_MINUTES = 10 * 365 * 24 * 60;

type BanBody = { device?: unknown; ipHash?: unknown; minutes?: unknown; reason?: unknown };

/** A ban request, checked; or why it is not one. */
export function parseBan(
  body: BanBody | null,
): { target: { device: string } | { ipHash: string }; minutes: number | null; reason: string } | string {
  if (!body || typeof body !== 'object') return 'expected a JSON object';
  const { device, ipHash, minutes, reason } = body;
  if ((device === undefined) === (ipHash === undefined)) return 'name exactly one of device or ipHash';
  const id = device ?? ipHash;
  if (typeof id !== 'string' || !ID.test(id)) return 'device or ipHash: not an id';
  if (
    minutes !== null &&
    minutes !== undefined &&
    (!Number.isInteger(minutes) || (minutes as number) < 1 || (minutes as number) > MAX_MINUTES)
  ) {
    return `minutes: a whole number from 1 to ${MAX_MINUTES}, or null for good`;
  }
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 200))
    return 'reason: at most 200 characters';
  return {
    target: device !== undefined ? { device: id } : { ipHash: id },
    minutes: (minutes as number | null | undefined) ?? null,
    reason: (reason as string | undefined)?.trim() || 'banned by a moderator',
  };
}

export function mountModeration(app: Hono, records: ModerationRecords): void {
  app.get('/admin/api/reports', async (c) => c.json(await records.reports(200)));
  app.get('/admin/api/bans', async (c) => c.json(await records.bans()));
  app.post('/admin/api/bans', async (c) => {
    const parsed = parseBan((await c.req.json().catch(() => null)) as BanBody | null);
    if (typeof parsed === 'string') return c.json({ error: parsed }, 400);
    return c.json(await records.ban(parsed.target, parsed.minutes, parsed.reason, 'admin'), 201);
  });
  app.delete('/admin/api/bans/:id', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id) || id < 1) return c.json({ error: 'not a ban id' }, 400);
    return (await records.lift(id, 'admin')) ? c.json({ ok: true }) : c.json({ error: 'no such ban in force' }, 404);
  });
}
