/**
 * A real Tryton 6.0 for tests: installed from Debian packages when missing, one template database
 * per setup script (cached in the temp folder, so a session pays trytond-admin's ~30 s once), one
 * trytond per test file on a free loopback port, and a fresh SQLite copy of the template per test.
 *
 *   const skip = await trytonUnavailable();
 *   describe('...', { skip }, () => {
 *     let tryton: TrytonServer;
 *     before(async () => { tryton = await startTryton(); });
 *     after(() => tryton.stop());
 *     test('...', async () => { const db = await tryton.freshDatabase(); ... });
 *   });
 *
 * With CAUSEWAY_REQUIRE_TRYTON=1 or CI set, Tryton that cannot be installed fails the tests instead
 * of skipping them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tryLock } from './folder-lock.ts';
import { peerRequired } from './peers.ts';

const run = promisify(execFile);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INSTALL_SCRIPT = join(ROOT, 'scripts/tryton/install.sh');
const SETUP_SCRIPT = join(ROOT, 'scripts/tryton/setup.py');
const WMS_SETUP_SCRIPT = join(ROOT, 'scripts/tryton/setup-wms.py');
// trytond and proteus live in Debian's python; another python3 may come first on PATH.
const PYTHON = '/usr/bin/python3';
const TRYTOND = '/usr/bin/trytond';
const TRYTOND_ADMIN = '/usr/bin/trytond-admin';
const MODULES = ['sale', 'purchase', 'stock', 'stock_lot', 'stock_lot_sled', 'stock_package', 'stock_package_shipping',
  'carrier', 'sale_shipment_cost', 'product_measurements'];
/**
 * The warehouse's database: the stock modules only (lots with expiry, packages, and package
 * shipping for tracking numbers; Debian's stock_package_shipping brings its own dependencies,
 * which the warehouse never uses).
 */
const WMS_MODULES = ['stock', 'stock_lot', 'stock_lot_sled', 'stock_package', 'stock_package_shipping'];

interface Template {
  name: string;
  setup: string;
  modules: string[];
}
const ERP_TEMPLATE: Template = { name: 'template', setup: SETUP_SCRIPT, modules: MODULES };
const WMS_TEMPLATE: Template = { name: 'wms-template', setup: WMS_SETUP_SCRIPT, modules: WMS_MODULES };

export const TRYTON_USER = 'admin';
/** The password of the throw-away test databases' admin user (loopback only). */
export const TRYTON_PASSWORD = 'causeway-test';

export interface TrytonDatabase {
  url: string;
  database: string;
  user: string;
  password: string;
}

export interface TrytonServer extends TrytonDatabase {
  /** A new database copied from the template, so one test's records never meet another's. */
  freshDatabase(): Promise<TrytonDatabase>;
  /**
   * A new warehouse database (stock modules only, company WH warehouse, no products or parties),
   * served by the same trytond as the ERP's: Tryton's stock engine playing the warehouse.
   */
  freshWarehouseDatabase(): Promise<TrytonDatabase>;
  /** Stops trytond (the whole process group) and waits until its port is closed. */
  stop(): Promise<void>;
  /** Stops trytond but keeps its databases, so `restart` brings the same data back. */
  pause(): Promise<void>;
  restart(): Promise<void>;
}

let availability: Promise<string | undefined> | undefined;

/** Why Tryton cannot run on this machine, or undefined when it can (installing it if needed). */
export function trytonUnavailable(): Promise<string | undefined> {
  availability ??= checkAvailability();
  return availability;
}

async function checkAvailability(): Promise<string | undefined> {
  let reason: string | undefined;
  try {
    await run('sh', [INSTALL_SCRIPT], { timeout: 600_000 });
    if (!existsSync(TRYTOND) || !existsSync(PYTHON)) reason = `${TRYTOND} is missing after install.sh`;
  } catch (error) {
    const failure = error as { code?: number; stderr?: string; message: string };
    reason = `Tryton is not installed and could not be: ${(failure.stderr || failure.message).trim().split('\n').slice(-2).join(' ')}`;
  }
  if (reason && peerRequired('TRYTON')) throw new Error(reason);
  return reason;
}

/** Starts trytond on a free loopback port with one fresh database ready. */
export async function startTryton(): Promise<TrytonServer> {
  const unavailable = await trytonUnavailable();
  if (unavailable) throw new Error(unavailable);
  const template = await templateDatabase(ERP_TEMPLATE);
  const dir = await mkdtemp(join(tmpdir(), 'causeway-trytond-'));
  const port = await freePort();
  const config = join(dir, 'trytond.conf');
  await writeFile(config, trytondConfig(dir, port));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined = await launch(config, join(dir, 'trytond.log'), url);
  let count = 0;

  const freshDatabase = async (): Promise<TrytonDatabase> => {
    const database = `test${++count}`;
    await copyFile(template, join(dir, `${database}.sqlite`));
    return { url, database, user: TRYTON_USER, password: TRYTON_PASSWORD };
  };
  const freshWarehouseDatabase = async (): Promise<TrytonDatabase> => {
    const database = `wms${++count}`;
    await copyFile(await templateDatabase(WMS_TEMPLATE), join(dir, `${database}.sqlite`));
    return { url, database, user: TRYTON_USER, password: TRYTON_PASSWORD };
  };
  const pause = async () => {
    if (child) await terminate(child, port);
    child = undefined;
  };
  const first = await freshDatabase();
  return {
    ...first,
    freshDatabase,
    freshWarehouseDatabase,
    pause,
    async restart() {
      await pause();
      child = await launch(config, join(dir, 'trytond.log'), url);
    },
    async stop() {
      await pause();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function trytondConfig(dir: string, port: number): string {
  return [
    '[database]', 'uri = sqlite://', `path = ${dir}`, '',
    '[web]', `listen = 127.0.0.1:${port}`, '',
    '[session]', 'timeout = 86400', '',
  ].join('\n');
}

/** The template database for a setup script and its modules, built once and reused from the temp folder. */
async function templateDatabase(spec: Template): Promise<string> {
  const setup = await readFile(spec.setup);
  const key = createHash('sha256').update(setup).update(spec.modules.join(',')).update(TRYTON_PASSWORD).digest('hex').slice(0, 16);
  const cacheDir = join(tmpdir(), `causeway-tryton-${spec.name}-${key}`);
  const template = join(cacheDir, 'template.sqlite');
  if (existsSync(template)) return template;
  await mkdir(cacheDir, { recursive: true });
  // Several test files may start at once: the first takes the lock, the others wait for its result.
  const lock = join(cacheDir, 'building.lock');
  while (!(await tryLock(lock))) {
    if (existsSync(template)) return template;
    await sleep(500);
  }
  try {
    if (existsSync(template)) return template;
    await buildTemplate(spec, cacheDir, template);
    return template;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function buildTemplate(spec: Template, cacheDir: string, template: string): Promise<void> {
  const work = await mkdtemp(join(cacheDir, 'build-'));
  try {
    const config = join(work, 'trytond.conf');
    await writeFile(config, trytondConfig(work, 0));
    const passFile = join(work, 'password');
    await writeFile(passFile, `${TRYTON_PASSWORD}\n`);
    // SQLite needs the database file to exist before trytond-admin creates the tables.
    await writeFile(join(work, 'template.sqlite'), '');
    await run(TRYTOND_ADMIN, ['-c', config, '-d', 'template', '-u', ...spec.modules, '--activate-dependencies', '--email', 'admin@example.com'], {
      env: { ...process.env, TRYTONPASSFILE: passFile },
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`trytond-admin failed: ${(error.stderr || error.message).slice(-2000)}`);
    });
    await run(PYTHON, [spec.setup, config, 'template'], { timeout: 300_000 }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`${spec.setup} failed: ${(error.stderr || error.message).slice(-2000)}`);
    });
    await rename(join(work, 'template.sqlite'), template);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  // A test run that dies must not leave trytond servers behind.
  for (const child of running) killGroup(child, 'SIGKILL');
});

async function launch(config: string, logFile: string, url: string): Promise<ChildProcess> {
  const log = openSync(logFile, 'a');
  const child = spawn(TRYTOND, ['-c', config], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  running.add(child);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`trytond exited at start; see ${logFile}:\n${(await readFile(logFile, 'utf8')).slice(-2000)}`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
      });
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  killGroup(child, 'SIGKILL');
  throw new Error(`trytond did not answer on ${url} within 60 s; see ${logFile}`);
}

async function terminate(child: ChildProcess, port: number): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  running.delete(child);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await portOpen(port))) await sleep(50);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
