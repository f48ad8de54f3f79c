import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: unknown;
  [k: string]: unknown;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface PackageOptions {
  /** `--param key=value` for each entry. */
  params?: Record<string, string>;
}

const root = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const cacheRoot = join(tmpdir(), 'sagewatch-template-cache');
const lockDir = join(cacheRoot, '.lock');

/**
 * Runs the real `npm run package` pipeline (bundles + osls package, offline) and returns the
 * CloudFormation template (a fresh copy per call: tests may mutate it) and the package dir.
 *
 * Packaging takes seconds, so each distinct (stage, params, slot) is packaged once per test run
 * and shared by every test file of the run: the worker processes of one vitest run share its
 * parent, and the cache key also carries a fingerprint of every input file, so a changed file
 * or a new run never sees an old template. Packaging is serialised across processes because
 * bundling rewrites dist/, which a concurrent `osls package` would be zipping.
 */
export async function packageTemplate(stage = 'test', options: PackageOptions = {}): Promise<{ template: CfnTemplate; dir: string }> {
  const key = cacheKey(stage, options);
  let pending = memo.get(key);
  if (!pending) {
    pending = packageOnce(stage, options, key);
    memo.set(key, pending);
    // A failed packaging is reported to every caller, then retried by the next test file.
    pending.catch(() => memo.delete(key));
  }
  const { dir } = await pending;
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
  return { template, dir };
}

/** Runs `osls package` expecting it to refuse (bad parameters): its exit status and output. */
export async function packageExpectingFailure(stage: string, params: Record<string, string>): Promise<{ failed: boolean; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sagewatch-package-'));
  return withLock(async () => {
    try {
      const { stdout, stderr } = await osls(stage, params, dir);
      return { failed: false, output: `${stdout}${stderr}` };
    } catch (error) {
      // Its message repeats the command line; what osls said is in stdout and stderr.
      const failure = error as { stdout?: string; stderr?: string };
      return { failed: true, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const memo = new Map<string, Promise<{ dir: string }>>();

async function packageOnce(stage: string, options: PackageOptions, key: string): Promise<{ dir: string }> {
  const dir = join(runDir(), key);
  const done = join(dir, 'cloudformation-template-update-stack.json');
  if (existsSync(done)) return { dir };
  return withLock(async () => {
    if (existsSync(done)) return { dir };
    const bundled = join(runDir(), `bundled-${inputFingerprint()}`);
    if (!existsSync(bundled)) {
      await bundle();
      writeFileSync(bundled, '');
    }
    // Package next to the final place and rename, so a half-written dir is never taken for done.
    const staging = `${dir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    await osls(stage, options.params ?? {}, staging);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return { dir };
  });
}

/**
 * Bundles and packages twice in a row from the same sources, for the determinism test: two
 * (template, dir) pairs. Sources edited meanwhile (a shared working tree) make it start over.
 */
export async function packageTwice(stage: string): Promise<Array<{ template: CfnTemplate; dir: string }>> {
  return withLock(async () => {
    for (let attempt = 0; ; attempt++) {
      const before = computeFingerprint();
      const dirs: string[] = [];
      for (const round of [1, 2]) {
        const dir = join(runDir(), `twice-${round}`);
        rmSync(dir, { recursive: true, force: true });
        await bundle();
        await osls(stage, {}, dir);
        dirs.push(dir);
      }
      if (computeFingerprint() === before || attempt === 2) {
        return dirs.map((dir) => ({ template: JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate, dir }));
      }
    }
  });
}

function bundle() {
  return run(process.execPath, ['bin/run-ts.js', 'scripts/bundle.ts'], { cwd: root });
}

function osls(stage: string, params: Record<string, string>, dir: string) {
  const paramArgs = Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
  return run(process.execPath, [resolve(root, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', stage, '--region', 'eu-west-1', '--package', dir, ...paramArgs], {
    cwd: root,
    env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
  });
}

function cacheKey(stage: string, options: PackageOptions): string {
  const identity = JSON.stringify({ stage, params: Object.entries(options.params ?? {}).sort(), inputs: inputFingerprint() });
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

let fingerprint: string | undefined;

/**
 * Paths, sizes and modification times of everything that goes into a package, taken once per
 * run (the first process writes it, the others read it): files edited while the suite runs
 * must not make every test file package its own template.
 */
function inputFingerprint(): string {
  if (fingerprint) return fingerprint;
  const file = join(runDir(), 'fingerprint');
  if (!existsSync(file)) {
    // Written aside and linked into place: whoever reads it sees the whole value.
    const mine = `${file}.${process.pid}`;
    writeFileSync(mine, computeFingerprint());
    try {
      linkSync(mine, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(mine, { force: true });
    }
  }
  fingerprint = readFileSync(file, 'utf8');
  return fingerprint;
}

function computeFingerprint(): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
    } else {
      hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  for (const entry of ['serverless.ts', 'infra', 'functions', 'lib', 'statemachines', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    visit(join(root, entry));
  }
  return hash.digest('hex').slice(0, 16);
}

let runDirectory: string | undefined;

/**
 * One directory per vitest run: keyed by the vitest process that forked this worker (pid and
 * start time, so a reused pid is a different run), or by this process when the parent is not
 * vitest (another pool, another runner), which then shares nothing.
 */
function runDir(): string {
  if (runDirectory) return runDirectory;
  const owner = (parentIsVitest() ? processIdentity(process.ppid) : undefined) ?? processIdentity(process.pid) ?? `${process.pid}`;
  runDirectory = join(cacheRoot, owner);
  mkdirSync(runDirectory, { recursive: true });
  sweepOldRuns();
  return runDirectory;
}

function parentIsVitest(): boolean {
  try {
    return readFileSync(`/proc/${process.ppid}/cmdline`, 'utf8').includes('vitest');
  } catch {
    return false;
  }
}

function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces); the 22nd field is the start time.
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return startTime ? `${pid}-${startTime}` : undefined;
  } catch {
    return undefined;
  }
}

/** Directories of finished runs: their owner process is gone (or it is a day old). */
function sweepOldRuns(): void {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const entry of readdirSync(cacheRoot)) {
    const path = join(cacheRoot, entry);
    if (entry === '.lock' || path === runDirectory) continue;
    const pid = Number(entry.split('-')[0]);
    const finished = Number.isInteger(pid) && pid > 0 && processIdentity(pid) !== entry;
    try {
      if (finished || statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run is sweeping too.
    }
  }
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(cacheRoot, { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'owner'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale()) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await new Promise((done) => setTimeout(done, 150));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** The holder died without releasing it (killed test run). */
function lockIsStale(): boolean {
  try {
    const owner = Number(readFileSync(join(lockDir, 'owner'), 'utf8'));
    if (!Number.isInteger(owner) || owner <= 0) return statSync(lockDir).mtimeMs < Date.now() - 10_000;
    process.kill(owner, 0);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ESRCH: no such process. ENOENT: released meanwhile, or the owner file is not written yet.
    if (code === 'ESRCH') return true;
    if (code === 'ENOENT') {
      try {
        return statSync(lockDir).mtimeMs < Date.now() - 10_000;
      } catch {
        return false;
      }
    }
    return false;
  }
}
