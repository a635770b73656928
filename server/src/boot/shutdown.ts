/**
 * The drain on SIGTERM/SIGINT as a named list of steps, run in order, each logged; a step that
 * fails is logged and the next one still runs, so one broken part never keeps the rest open.
 */
import type { Log } from '../log.ts';

export interface Step {
  name: string;
  run: () => unknown;
}

/** Runs the steps once (a second signal while draining does nothing), then exits with 0. */
export function onShutdown(steps: Step[], log: Log, exit: (code: number) => void = process.exit): void {
  let started = false;
  const drain = async (signal: string) => {
    if (started) return;
    started = true;
    log.info({ signal, steps: steps.map((s) => s.name) }, 'draining');
    await runSteps(steps, log);
    log.info('stopped');
    exit(0);
  };
  process.on('SIGTERM', () => void drain('SIGTERM'));
  process.on('SIGINT', () => void drain('SIGINT'));
}

export async function runSteps(steps: Step[], log: Log): Promise<void> {
  for (const step of steps) {
    const t0 = performance.now();
    try {
      await step.run();
      log.debug({ step: step.name, ms: Math.round(performance.now() - t0) }, 'shutdown step done');
    } catch (error) {
      log.error({ step: step.name, err: (error as Error)?.message }, 'shutdown step failed');
    }
  }
}

/** Waits for `work`, but no longer than `ms`. */
export const atMost = (ms: number, work: Promise<unknown>) =>
  Promise.race([work, new Promise((r) => setTimeout(r, ms))]);
