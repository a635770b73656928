/**
 * A Bun driver's parameters: the runner passes them as environment variables with the same names
 * and formats the k6 scripts take with `-e` (loadtest/lib/env.ts), so a driver also runs on its own
 * (`TARGETS=ws://127.0.0.1:3000/ws bun loadtest/drivers/bun-churn.ts`).
 */
import { paramsFrom } from '../lib/params.ts';

export const { num, ms, str, targets } = paramsFrom((name) => process.env[name]);
