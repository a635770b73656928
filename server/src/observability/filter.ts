/**
 * Which users' actors go to the Stately inspector (`INSPECT_FILTER`, parsed by config.ts into
 * plain data). Decided once per actor when it is created (and again when /admin follows a user).
 */
import type { InspectFilter } from '../config.ts';

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
