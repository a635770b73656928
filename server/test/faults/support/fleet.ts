/**
 * The server processes of one fault case, so the case can start them together and leave none
 * behind whatever happened: `cleanup()` resumes a stopped process (SIGSTOP) and kills whatever is
 * still running. Instances start in parallel: on a 2-core box each start is a second or two.
 */
import { type RunningServer, startServer } from '../../support/server.ts';

/** Settings every fault case shares: quiet logs, and stats often enough to be seen in a short case. */
const BASE: Record<string, string> = { STATS_INTERVAL_MS: '1000' };

export class Fleet {
  private readonly running: RunningServer[] = [];
  private readonly paused = new Set<number>();

  /** Starts one instance per env (each merged over `shared`), all at once. */
  async start(shared: Record<string, string>, ...each: Record<string, string>[]): Promise<RunningServer[]> {
    const servers = await Promise.all(each.map((env) => startServer({ ...BASE, ...shared, ...env })));
    this.running.push(...servers);
    return servers;
  }

  /** SIGTERM (drain and flush) and the exit code; SIGKILL if it has not exited within `ms`. */
  async stop(server: RunningServer, ms = 15_000): Promise<number | null> {
    const exited = server.stop();
    const code = await Promise.race([exited, Bun.sleep(ms).then(() => null)]);
    if (code === null) await server.kill();
    return code;
  }

  /** SIGSTOP: the process freezes with its sockets open, as a long GC pause or a stalled VM would. */
  pause(server: RunningServer): void {
    process.kill(server.pid, 'SIGSTOP');
    this.paused.add(server.pid);
  }

  /** SIGCONT: the frozen process goes on where it stopped. */
  resume(server: RunningServer): void {
    this.paused.delete(server.pid);
    process.kill(server.pid, 'SIGCONT');
  }

  /** Leaves no process behind: a paused one is resumed, then each is killed (a no-op once exited). */
  async cleanup(): Promise<void> {
    for (const s of this.running) if (this.paused.has(s.pid)) this.resume(s);
    await Promise.all(this.running.map((s) => s.kill().catch(() => {})));
    this.running.length = 0;
  }
}
