/**
 * The whole deployment from the instances' views: users and states add up; the queue is shared
 * (every instance sees the same Redis queue), so the freshest view's number is the total.
 */
import { sumSeries } from './series.ts';
import type { InstanceView } from './view.ts';

/** The sum of every live instance's view, and how many there are. */
export type Totals = Omit<InstanceView, 'instance' | 'at'> & { instances: number };

export function aggregate(views: InstanceView[], window: number): Totals {
  const states: Record<string, number> = {};
  let online = 0;
  let sockets = 0;
  let pairsTotal = 0;
  let freshest: InstanceView | null = null;
  for (const v of views) {
    online += v.online;
    sockets += v.sockets;
    pairsTotal += v.pairsTotal;
    for (const [k, n] of Object.entries(v.states)) states[k] = (states[k] ?? 0) + n;
    if (!freshest || v.at > freshest.at) freshest = v;
  }
  return {
    instances: views.length,
    online,
    sockets,
    queue: freshest?.queue ?? 0,
    states,
    pairsTotal,
    pairs: sumSeries(
      views.map((v) => v.pairs),
      window,
    ),
  };
}

/** This instance's fresh view in place of its published copy; the others sorted by name. */
export function withLocal(published: InstanceView[], local: InstanceView): InstanceView[] {
  return [local, ...published.filter((v) => v.instance !== local.instance)].sort((a, b) =>
    a.instance.localeCompare(b.instance),
  );
}
