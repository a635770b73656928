/**
 * Which users' actors go to the Stately inspector (`INSPECT_FILTER`). Pure: parsed once by
 * config.ts, decided once per actor when it is created (and again when /admin follows a user).
 */

export type InspectFilter =
  | { kind: 'all' }
  /** Only users followed from /admin. */
  | { kind: 'none' }
  /** A stable share of users, by a hash of the user id, so every instance picks the same ones. */
  | { kind: 'sample'; rate: number }
  | { kind: 'users'; ids: string[] };

/** Parses `all`, `none`, `sample:<0..1>` or `user:<id>[,<id>…]`; returns an error message when bad. */
export function parseInspectFilter(raw: string | undefined): InspectFilter | string {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'all') return { kind: 'all' };
  if (value === 'none') return { kind: 'none' };
  const [kind, rest = ''] = value.split(/:(.*)/s, 2) as [string, string?];
  if (kind === 'sample') {
    const rate = Number(rest);
    if (rest.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      return `expected sample:<rate> with a rate from 0 to 1, got "${value}"`;
    }
    return { kind: 'sample', rate };
  }
  if (kind === 'user') {
    const ids = rest
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    if (ids.length === 0 || ids.some((id) => !/^[\w.-]{1,64}$/.test(id))) {
      return `expected user:<id>[,<id>…], got "${value}"`;
    }
    return { kind: 'users', ids };
  }
  return `expected all, none, sample:<rate> or user:<id>, got "${value}"`;
}

/** FNV-1a of the id, mapped to [0, 1): the same user gets the same answer on every instance. */
function unitHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

/** Whether the filter selects this user when its actor is created. */
export function selects(filter: InspectFilter, userId: string): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'sample':
      return unitHash(userId) < filter.rate;
    case 'users':
      return filter.ids.includes(userId);
  }
}
