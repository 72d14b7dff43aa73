/**
 * A real OpenSSH server for tests: installed from Debian packages when missing, started per test
 * file on a free loopback port from a temporary folder (own host key, client key, authorized_keys,
 * sshd_config), serving SFTP with internal-sftp.
 *
 *   const skip = await sshdUnavailable();
 *   describe('...', { skip }, () => {
 *     let sshd: SshServer;
 *     before(async () => { sshd = await startSshd(); });
 *     after(() => sshd.stop());
 *   });
 *
 * With CAUSEWAY_REQUIRE_SSHD=1 or CI set, OpenSSH that cannot be installed fails the tests instead of
 * skipping them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { peerRequired } from './peers.ts';

const run = promisify(execFile);

const INSTALL_SCRIPT = fileURLToPath(new URL('../../scripts/install-openssh.sh', import.meta.url));
const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

export interface SshServer {
  host: string;
  port: number;
  username: string;
  /** The client's private key (OpenSSH format) and the file holding it. */
  privateKey: string;
  privateKeyPath: string;
  /** The server key's fingerprint as `ssh-keygen -lf` prints it: SHA256:... */
  hostKeyFingerprint: string;
  /** A temporary folder on this machine, usable as remote paths over SFTP. */
  root: string;
  /** Stops sshd and every session it serves: open client connections break. */
  stop(): Promise<void>;
  /** Starts sshd again on the same port with the same keys. */
  start(): Promise<void>;
  /** Stops sshd and removes the temporary folder. */
  dispose(): Promise<void>;
}

let availability: Promise<string | undefined> | undefined;

/** Why OpenSSH's server cannot run here, or undefined when it can (installing it if needed). */
export function sshdUnavailable(): Promise<string | undefined> {
  availability ??= checkAvailability();
  return availability;
}

async function checkAvailability(): Promise<string | undefined> {
  let reason: string | undefined;
  try {
    await run('sh', [INSTALL_SCRIPT], { timeout: 300_000 });
    if (!existsSync(SSHD) || !existsSync(SSH_KEYGEN)) reason = `${SSHD} or ${SSH_KEYGEN} is missing after install-openssh.sh`;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    reason = `OpenSSH is not installed and could not be: ${(failure.stderr || failure.message).trim().split('\n').slice(-2).join(' ')}`;
  }
  if (reason && peerRequired('SSHD')) throw new Error(reason);
  return reason;
}

export async function startSshd(): Promise<SshServer> {
  const dir = await mkdtemp(join(tmpdir(), 'causeway-sshd-'));
  const root = join(dir, 'remote');
  await mkdir(root);
  // Privilege separation needs it; without systemd nothing else creates it.
  await mkdir('/run/sshd', { recursive: true });
  for (const name of ['host_key', 'client_key']) await run(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', `causeway-test-${name}`, '-f', join(dir, name)]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')));
  const { stdout } = await run(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', join(dir, 'host_key.pub')]);
  const hostKeyFingerprint = stdout.split(' ')[1];
  const port = await freePort();
  const pidFile = join(dir, 'sshd.pid');
  const configFile = join(dir, 'sshd_config');
  await writeFile(configFile, [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${pidFile}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The temporary folder's permissions would otherwise be refused.
    'StrictModes no',
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
    '',
  ].join('\n'));

  let running = false;
  const server: SshServer = {
    host: '127.0.0.1',
    port,
    username: userInfo().username,
    privateKey: await readFile(join(dir, 'client_key'), 'utf8'),
    privateKeyPath: join(dir, 'client_key'),
    hostKeyFingerprint,
    root,
    async start() {
      if (running) return;
      try {
        await run(SSHD, ['-f', configFile, '-E', join(dir, 'sshd.log')]);
        await waitForPort(port, true);
      } catch (e) {
        const log = existsSync(join(dir, 'sshd.log')) ? readFileSync(join(dir, 'sshd.log'), 'utf8').trim().split('\n').slice(-5).join('\n') : '';
        throw new Error(`sshd did not start on port ${port}: ${(e as Error).message}\n${log}`);
      }
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      const pid = Number((await readFile(pidFile, 'utf8')).trim());
      // The listener's per-connection children outlive it; stop them too so clients see the server gone.
      for (const p of [pid, ...descendants(pid)]) {
        try {
          process.kill(p, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await waitForPort(port, false);
      await waitFor(() => !existsSync(`/proc/${pid}`));
    },
    async dispose() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while listing
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, open: boolean): Promise<void> {
  await waitFor(async () => (await portOpen(port)) === open, `port ${port} to ${open ? 'open' : 'close'}`);
}

async function waitFor(check: () => boolean | Promise<boolean>, what = 'sshd', timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
