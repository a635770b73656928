/**
 * The whole test suite, as CI runs it (`npm test` → setup → this). Each step runs in turn; the
 * last line printed is `N passed, N failed`, counting test cases plus one per check step.
 *
 *   bun scripts/test.ts            everything
 *   bun scripts/test.ts unit       only steps whose name starts with "unit"
 *   bun scripts/test.ts e2e        the client build and the real-browser tests only
 *   bun scripts/test.ts deploy     the manifests, and the image under podman
 *   bun scripts/test.ts faults     the fault suite only (instances killed, frozen, cut off from Redis or PostgreSQL)
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dir, '..');
const outDir = join(root, '.data', 'test-results');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

interface Tally {
  passed: number;
  failed: number;
}

interface Step {
  name: string;
  run: () => Promise<Tally>;
}

async function exec(cmd: string[], env: Record<string, string> = {}): Promise<number> {
  const proc = Bun.spawn(cmd, { cwd: root, stdout: 'inherit', stderr: 'inherit', env: { ...process.env, ...env } });
  return proc.exited;
}

/** A check that passes or fails as a whole (type-check, lint). */
const check =
  (cmd: string[]): Step['run'] =>
  async () =>
    (await exec(cmd)) === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };

/** `bun test` over some paths (less those matching `ignore`, globs); counts come from its JUnit report. */
const bunTest =
  (name: string, paths: string[], timeoutMs: number, ignore: string[] = []): Step['run'] =>
  async () => {
    const report = join(outDir, `${name}.xml`);
    const present = paths.filter((p) => existsSync(join(root, p)));
    const code = await exec([
      'bun',
      'test',
      '--timeout',
      String(timeoutMs),
      '--reporter=junit',
      `--reporter-outfile=${report}`,
      ...ignore.map((glob) => `--path-ignore-patterns=${glob}`),
      ...present,
    ]);
    let tests = 0;
    let failures = 0;
    let skipped = 0;
    try {
      const head = readFileSync(report, 'utf8').match(/<testsuites[^>]*>/)?.[0] ?? '';
      const attr = (k: string) => Number(head.match(new RegExp(`${k}="(\\d+)"`))?.[1] ?? 0);
      tests = attr('tests');
      failures = attr('failures');
      skipped = attr('skipped');
    } catch {
      // no report: the run itself broke; counted below
    }
    // A skipped test is a defect, and a crash outside any test still fails the step.
    const failed = failures + skipped + (code !== 0 && failures === 0 ? 1 : 0);
    return { passed: tests - failures - skipped, failed };
  };

/** The browser tests run against the built client: build it, then run them. */
const e2e: Step['run'] = async () => {
  const vite = ['node', 'node_modules/vite/bin/vite.js', 'build', '--config', 'client/vite.config.ts'];
  const built = await exec([...vite, '--logLevel', 'error']);
  if (built !== 0) return { passed: 0, failed: 1 };
  return bunTest('e2e', ['client/e2e'], 120_000)();
};

/**
 * The k6 smoke through the load runner (about 18 s): every scenario script at a low rate against a
 * real server on Redis and PostgreSQL. It passes only if k6's thresholds held and the stores
 * settled (see loadtest/scenarios/smoke.ts); the set-up has already run, so the runner skips it.
 */
const k6Smoke: Step['run'] = async () => {
  const code = await exec(['bun', 'loadtest/run/load.ts', 'smoke', '--quiet'], { LOAD_SKIP_SETUP: '1' });
  return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
};

/**
 * The deploy tree: the Kustomize build, compose.yaml and the LiveKit values checked offline, then
 * the image built and run with `podman kube play` (deploy/test/). A machine where podman cannot
 * run containers gets a SKIPPED line naming why, and the skipped tests count as failed.
 */
const deploy: Step['run'] = bunTest('deploy', ['deploy/test'], 900_000);

const steps: Step[] = [
  { name: 'typecheck', run: check(['bun', 'x', 'tsc', '--noEmit', '-p', '.']) },
  { name: 'lint', run: check(['bun', 'x', 'biome', 'check', '--error-on-warnings', '.']) },
  { name: 'unit', run: bunTest('unit', ['server/src', 'client/src', 'loadtest'], 20_000) },
  // The fault suite lives under server/test but is its own step (below), so it is counted once.
  { name: 'integration', run: bunTest('integration', ['server/test'], 90_000, ['server/test/faults/**']) },
  { name: 'faults', run: bunTest('faults', ['server/test/faults'], 120_000) },
  { name: 'e2e', run: e2e },
  { name: 'k6-smoke', run: k6Smoke },
  { name: 'deploy', run: deploy },
];

const only = process.argv[2];
const total: Tally = { passed: 0, failed: 0 };
const started = Date.now();
for (const step of steps) {
  if (only && !step.name.startsWith(only)) continue;
  console.log(`\n=== ${step.name} ===`);
  const t0 = Date.now();
  const r = await step.run();
  console.log(`=== ${step.name}: ${r.passed} passed, ${r.failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  total.passed += r.passed;
  total.failed += r.failed;
}
console.log(`\nall steps took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed === 0 ? 0 : 1);
