/**
 * What every fault case runs on: fresh stores (a database and a Redis prefix of its own) made
 * before its tests, and a fleet of server instances stopped, with the stores dropped, after them,
 * whatever happened in between.
 */
import { afterAll, beforeAll } from 'bun:test';
import { freshStores, type Stores } from '../../support/server.ts';
import { Fleet } from './fleet.ts';

export interface Lab {
  fleet: Fleet;
  /** The case's stores (only once its `beforeAll` ran). */
  readonly stores: Stores;
}

/** Registers the case's set-up and clean-up; call once at the top of a fault case's file. */
export function faultLab(): Lab {
  const fleet = new Fleet();
  let stores: Stores | null = null;
  beforeAll(async () => {
    stores = await freshStores('real');
  });
  afterAll(async () => {
    await fleet.cleanup();
    await stores?.drop();
  });
  return {
    fleet,
    get stores() {
      if (!stores) throw new Error('the stores are made in beforeAll: use them inside a test');
      return stores;
    },
  };
}
