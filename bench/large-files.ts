// Large files on the product's own paths, each run as a user runs it, through bin/causeway.js (the
// precompiled build when it is current, see there), in a process whose peak RSS is its own:
//   decode    `causeway decode --codec x12 FILE > /dev/null` (or edifact)
//   inspect   `causeway x12 inspect FILE > /dev/null`
//   folder    `causeway serve` with a folder endpoint (SQLite): file moved into the inbox -> every set committed
//   sftp      the same from an SFTP endpoint on a local OpenSSH server (skipped when sshd cannot run)
//   replay    `causeway replay --message ID`, then `serve`: read back from its chunks, decoded and committed again
// beside the streaming decode loop and its peers on the same file, in the same run: node-x12's
// streaming parser and a bare character scan (bench/x12.ts). `--format edifact` runs the same paths on a
// file of EDIFACT ORDERS (bench/edifact.ts), with Causeway's EDIFACT decode loop as the baseline.
//   node --import tsx bench/large-files.ts [--mb 1024] [--format x12|edifact] [--paths loops,decode,inspect,folder,sftp] [--keep] [--node-options "--max-old-space-size=96 --max-semi-space-size=4"]
// --node-options: NODE_OPTIONS for the product's paths only (the setting docs/operations.md gives for bounded memory).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { generateX12 } from '../test/support/x12-files.ts';
import { sshdUnavailable, startSshd } from '../test/support/sshd.ts';
import { generate as generateEdifact, measureEdifactContender } from './edifact.ts';
import { measureX12Contender } from './x12.ts';

export type LargeFileFormat = 'x12' | 'edifact';

const HERE = fileURLToPath(import.meta.url);
const ROOT = join(HERE, '..', '..');
const CLI = join(ROOT, 'bin', 'causeway.js');

export interface LargeFileRow {
  path: string;
  seconds: number;
  mbPerSecond: number;
  peakRssMb: number;
  sets?: number;
  error?: string;
}

/** The limit the product's paths are held to on a 1 GB file. */
const RSS_LIMIT_MB = 256;

/** A CLI command under /usr/bin/time -v: wall time and the peak RSS of the whole process. */
function timeCli(args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): { seconds: number; peakRssMb: number; error?: string } {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs, encoding: 'utf8', maxBuffer: 64 << 20, env });
  const seconds = (performance.now() - started) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  const status = /Exit status: (\d+)/.exec(r.stderr ?? '');
  const error = r.error ? r.error.message : status && status[1] !== '0' ? `exit ${status[1]}: ${(r.stderr ?? '').split('\n').find((l) => l.trim()) ?? ''}` : undefined;
  return { seconds, peakRssMb: rss ? Number(rss[1]) / 1024 : NaN, ...(error ? { error } : {}) };
}

interface HubRun { seconds: number; sets: number; peakRssMb: number; status: string }

/** A free TCP port on the loopback interface for one `serve`'s API. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Linux process's peak resident set (VmHWM) and current one (VmRSS), in MB; NaN where /proc has none. */
function residentMb(pid: number): { peak: number; now: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
  } catch {
    return { peak: NaN, now: NaN };
  }
}

interface StoredMessage { id: number; status: string; processed_at: number | null; generation: number }

/** The newest message of the hub's SQLite store, read from outside the hub (undefined before there is one). */
function newestMessage(dbPath: string): StoredMessage | undefined {
  if (!existsSync(dbPath)) return undefined;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare('SELECT id, status, processed_at, generation FROM messages ORDER BY id DESC LIMIT 1').get() as StoredMessage | undefined;
  } catch (e) {
    if (/no such table/.test((e as Error).message)) return undefined;
    throw e;
  } finally {
    db.close();
  }
}

function countDocuments(dbPath: string, m: StoredMessage): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM documents WHERE message_id = ? AND generation = ?').get(m.id, m.generation) as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * One hub path as a user runs it: `causeway serve -c causeway.yaml` through bin/causeway.js, in a process
 * of its own. The file is put where the endpoint reads it (or the stored message is queued again with
 * `causeway replay`) before the hub starts; the run ends when the message has been processed, read from
 * the store, and the hub's peak RSS is read from /proc before it is stopped with SIGTERM.
 */
async function runServe(kind: 'folder' | 'sftp' | 'replay', dir: string, file: string, format: LargeFileFormat, timeoutMs: number, env: NodeJS.ProcessEnv, sftp?: SftpPeer): Promise<HubRun | { error: string }> {
  const codec = format === 'edifact' ? 'edifact' : 'x12';
  const config = join(dir, 'causeway.yaml');
  const dbPath = join(dir, 'hub.db');
  let endpoint: string;
  if (kind === 'sftp') {
    const s = sftp!;
    endpoint = `in: { type: sftp, host: ${s.host}, port: ${s.port}, username: ${s.username}, privateKeyPath: ${s.privateKeyPath}, hostKey: "${s.hostKeyFingerprint}", remoteInbox: ${s.inbox}, pollIntervalMs: 100, codec: ${codec} }`;
  } else {
    mkdirSync(join(dir, 'drop'), { recursive: true });
    endpoint = `in: { type: folder, inbox: ${join(dir, 'drop')}, minAgeMs: 0, pollIntervalMs: 100, codec: ${codec} }`;
  }
  writeFileSync(config, hubConfig(dir, endpoint, await freePort()));
  if (kind === 'folder') renameSync(file, join(dir, 'drop', 'orders.edi'));
  if (kind === 'sftp') renameSync(file, join(sftp!.inbox, 'orders.edi'));
  if (kind === 'replay') {
    const m = newestMessage(dbPath);
    if (!m) return { error: 'no stored message to replay' };
    execFileSync(process.execPath, [CLI, 'replay', '-c', config, '--message', String(m.id)], { stdio: 'ignore', env });
  }
  const started = Date.now();
  const hub = spawn(process.execPath, [CLI, 'serve', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  hub.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => hub.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => { exitCode = c; });
  // CAUSEWAY_BENCH_MEMORY=1: the hub's resident memory every second, on stderr.
  let lastSample = 0;
  try {
    for (;;) {
      if (exitCode !== undefined) return { error: `serve exited (${exitCode}): ${stderr.split('\n').find((l) => l.trim()) ?? ''}` };
      if (Date.now() - started > timeoutMs) return { error: `timed out after ${timeoutMs / 1000} s` };
      if (process.env.CAUSEWAY_BENCH_MEMORY && Date.now() - lastSample >= 1000) {
        lastSample = Date.now();
        const r = residentMb(hub.pid!);
        process.stderr.write(`${((lastSample - started) / 1000).toFixed(0)} s: rss ${r.now.toFixed(0)} MB, peak ${r.peak.toFixed(0)} MB\n`);
      }
      const m = newestMessage(dbPath);
      if (m && m.status !== 'pending' && (m.processed_at ?? 0) >= started) {
        const seconds = (Date.now() - started) / 1000;
        const peakRssMb = residentMb(hub.pid!).peak;
        return { seconds, sets: countDocuments(dbPath, m), status: m.status, peakRssMb };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    if (exitCode === undefined) {
      hub.kill('SIGTERM');
      await exited;
    }
  }
}

function hubConfig(dir: string, endpoint: string, apiPort: number): string {
  return `
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: bench
log: { level: warn }
api: { listen: "127.0.0.1:${apiPort}" }
worker: { leaseMs: 600000, idleMs: 50${process.env.CAUSEWAY_BENCH_PER_COMMIT ? `, documentsPerCommit: ${process.env.CAUSEWAY_BENCH_PER_COMMIT}` : ''} }
endpoints:
  ${endpoint}
flows: []
`;
}

interface SftpPeer { host: string; port: number; username: string; privateKeyPath: string; hostKeyFingerprint: string; inbox: string }

/** The parts a run can be limited to (--paths), so that long runs on a large file can go side by side; replay goes with folder. */
export const LARGE_FILE_PATHS = ['loops', 'decode', 'inspect', 'folder', 'sftp'] as const;
export type LargeFilePath = (typeof LARGE_FILE_PATHS)[number];

export async function runLargeFilesBench(opts: { mb?: number; format?: LargeFileFormat; keep?: boolean; nodeOptions?: string; paths?: readonly LargeFilePath[]; log?: (l: string) => void } = {}): Promise<LargeFileRow[]> {
  const format = opts.format ?? 'x12';
  const runs = (p: LargeFilePath) => (opts.paths ?? LARGE_FILE_PATHS).includes(p);
  const log = opts.log ?? ((l: string) => console.log(l));
  const env = opts.nodeOptions ? { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${opts.nodeOptions}`.trim() } : process.env;
  if (opts.nodeOptions) log(`product paths run with NODE_OPTIONS="${env.NODE_OPTIONS}"`);
  log(existsSync(join(ROOT, 'dist', 'cli', 'main.js'))
    ? 'product paths run through bin/causeway.js: the build in dist/ (`npm run build`), unless older than src/'
    : 'product paths run through bin/causeway.js: no build in dist/, so the sources through tsx (`npm run build` first)');
  const mb = opts.mb ?? 1024;
  const dir = mkdtempSync(join(tmpdir(), 'causeway-large-bench-'));
  const rows: LargeFileRow[] = [];
  // 4 s a megabyte: a 1 GB `causeway decode` took 33 min at load average 25 on two cores.
  const timeout = Math.max(120_000, mb * 4000);
  try {
    const file = join(dir, 'orders.edi');
    const made = format === 'x12' ? await generateX12(file, '940', mb) : { sets: await generateEdifact(file, 'ORDERS', mb) };
    const fileMb = statSync(file).size / 1048576;
    log(format === 'x12'
      ? `${fileMb.toFixed(0)} MB of 940s (${made.sets.toLocaleString('en-US')} sets, groups of 500), generated in ${dir}`
      : `${fileMb.toFixed(0)} MB of EDIFACT ORDERS (${made.sets.toLocaleString('en-US')} messages, interchanges of 500), generated in ${dir}`);
    const add = (path: string, r: { seconds: number; peakRssMb: number; sets?: number; error?: string }) => {
      const row: LargeFileRow = { path, seconds: r.seconds, mbPerSecond: fileMb / r.seconds, peakRssMb: r.peakRssMb, ...(r.sets !== undefined ? { sets: r.sets } : {}), ...(r.error ? { error: r.error } : {}) };
      rows.push(row);
      log(formatRow(row, made.sets));
    };
    // The streaming loop and its peers on the same file, for the ratios.
    const loops = !runs('loops') ? [] : format === 'x12' ? ['causeway', 'node-x12-stream', 'bare-scan'] : ['causeway'];
    for (const c of loops) {
      const r = format === 'x12' ? measureX12Contender(c, file, timeout) : measureEdifactContender(c, file, timeout);
      add(`loop: ${c}`, { seconds: r.seconds, peakRssMb: r.peakRssMb, ...(r.error ? { error: r.error } : {}) });
    }
    if (runs('decode')) add('causeway decode', timeCli(['decode', '--codec', format, file], timeout, env));
    if (format === 'x12' && runs('inspect')) add('causeway x12 inspect', timeCli(['x12', 'inspect', file], timeout, env));
    const copy = join(dir, 'drop-me.edi');
    if (runs('folder')) {
      const hubDir = join(dir, 'hub');
      mkdirSync(hubDir);
      execFileSync('cp', [file, copy]);
      const folder = await runServe('folder', hubDir, copy, format, timeout * 4, env);
      add('serve: folder -> committed', 'error' in folder ? { seconds: NaN, peakRssMb: NaN, error: folder.error } : folder);
      const replay = await runServe('replay', hubDir, '', format, timeout * 4, env);
      add('serve: replay of the stored file', 'error' in replay ? { seconds: NaN, peakRssMb: NaN, error: replay.error } : replay);
    }
    const noSshd = runs('sftp') ? await sshdUnavailable() : 'not asked for';
    if (noSshd) log(`serve: sftp -> committed  skipped: ${noSshd}`);
    else {
      const sshd = await startSshd();
      try {
        const inbox = join(sshd.root, 'out');
        mkdirSync(inbox);
        const sftpDir = join(dir, 'hub-sftp');
        mkdirSync(sftpDir);
        execFileSync('cp', [file, copy]);
        const sftp = await runServe('sftp', sftpDir, copy, format, timeout * 4, env, { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyPath: sshd.privateKeyPath, hostKeyFingerprint: sshd.hostKeyFingerprint, inbox });
        add('serve: sftp -> committed', 'error' in sftp ? { seconds: NaN, peakRssMb: NaN, error: sftp.error } : sftp);
      } finally {
        await sshd.stop();
      }
    }
    const by = (p: string) => rows.find((r) => r.path === p && !r.error);
    const nodeX12 = by('loop: node-x12-stream');
    const scan = by('loop: bare-scan');
    const loop = by('loop: causeway');
    const ratio = (r: LargeFileRow | undefined, base: LargeFileRow | undefined) => (r && base ? (r.mbPerSecond / base.mbPerSecond).toFixed(2) : 'n/a');
    for (const r of rows.filter((x) => !x.path.startsWith('loop') || x.path === 'loop: causeway')) {
      const against = format === 'x12' ? `${ratio(r, nodeX12)}x node-x12 streaming, ${ratio(r, scan)}x bare scan` : `${ratio(r, loop)}x the EDIFACT decode loop`;
      if (r.error) log(`  ${r.path}: failed`);
      else log(`  ${r.path}: ${against}; peak RSS ${r.peakRssMb.toFixed(0)} MB${r.peakRssMb < RSS_LIMIT_MB ? '' : ` — OVER ${RSS_LIMIT_MB} MB`}`);
    }
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function formatRow(r: LargeFileRow, sets: number): string {
  if (r.error) return `${r.path.padEnd(34)} failed: ${r.error}`;
  const complete = r.sets === undefined ? '' : r.sets === sets ? `  all ${sets.toLocaleString('en-US')} sets committed` : `  ${r.sets} of ${sets} sets committed`;
  return `${r.path.padEnd(34)} ${r.mbPerSecond.toFixed(1).padStart(7)} MB/s ${r.seconds.toFixed(1).padStart(7)} s ${r.peakRssMb.toFixed(0).padStart(6)} MB peak RSS${complete}`;
}

if (process.argv[1] === HERE) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--mb');
  const no = args.indexOf('--node-options');
  const fo = args.indexOf('--format');
  const pa = args.indexOf('--paths');
  const paths = pa >= 0 ? args[pa + 1]!.split(',').map((p) => {
    if (!(LARGE_FILE_PATHS as readonly string[]).includes(p)) throw new Error(`--paths takes ${LARGE_FILE_PATHS.join(',')}`);
    return p as LargeFilePath;
  }) : undefined;
  await runLargeFilesBench({ mb: at >= 0 ? Number(args[at + 1]) : 1024, format: fo >= 0 && args[fo + 1] === 'edifact' ? 'edifact' : 'x12', keep: args.includes('--keep'), nodeOptions: no >= 0 ? args[no + 1] : undefined, ...(paths ? { paths } : {}) });
}
