// Large files on the product's own paths, each in a child process whose peak RSS is its own:
//   decode    `causeway decode --codec x12 FILE > /dev/null` (or edifact)
//   inspect   `causeway x12 inspect FILE > /dev/null`
//   folder    `serve` with a folder endpoint (SQLite): file moved into the inbox -> every set committed
//   sftp      the same from an SFTP endpoint on a local OpenSSH server (skipped when sshd cannot run)
//   replay    the stored message replayed: read back from its chunks, decoded and committed again
// beside the streaming decode loop and its peers on the same file, in the same run: node-x12's
// streaming parser and a bare character scan (bench/x12.ts). `--format edifact` runs the same paths on a
// file of EDIFACT ORDERS (bench/edifact.ts), with Causeway's EDIFACT decode loop as the baseline.
//   node --import tsx bench/large-files.ts [--mb 1024] [--format x12|edifact] [--keep] [--node-options "--max-old-space-size=96 --max-semi-space-size=4"]
// --node-options: NODE_OPTIONS for the product's paths only (the setting docs/operations.md gives for bounded memory).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { parseConfig } from '../src/endpoints.ts';
import { Hub } from '../src/engine/index.ts';
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

/** One hub path in a child process of its own (see worker below). */
function runHubChild(args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): HubRun | { error: string } {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', HERE, '--worker', ...args], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20, env });
    return JSON.parse(out.trim().split('\n').pop()!) as HubRun;
  } catch (e) {
    const err = e as { killed?: boolean; stderr?: string; message: string };
    return { error: err.killed ? `timed out after ${timeoutMs / 1000} s` : (err.stderr ?? '').split('\n').find((l) => l.trim()) ?? 'the child process failed' };
  }
}

function hubConfig(dir: string, endpoint: string): string {
  return `
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: bench
log: { level: warn }
worker: { leaseMs: 600000, idleMs: 50${process.env.CAUSEWAY_BENCH_PER_COMMIT ? `, documentsPerCommit: ${process.env.CAUSEWAY_BENCH_PER_COMMIT}` : ""} }
endpoints:
  ${endpoint}
flows: []
`;
}

/** Waits for the first message of the store to leave pending; returns its status. */
async function settled(hub: Hub, since: number): Promise<{ status: string; id: number }> {
  for (;;) {
    const [m] = await hub.store.listMessages({ tenant: 'bench' });
    if (m && m.status !== 'pending' && (m.processedAt ?? 0) >= since) return { status: m.status, id: m.id };
    await new Promise((r) => setTimeout(r, 100));
  }
}

function countDocuments(hub: Hub, messageId: number): number {
  const db = (hub.store as unknown as { db: { prepare(sql: string): { get(...a: unknown[]): { n: number } } } }).db;
  return db.prepare('SELECT count(*) AS n FROM documents WHERE message_id = ? AND generation = (SELECT generation FROM messages WHERE id = ?)').get(messageId, messageId).n;
}

async function worker(args: string[]): Promise<void> {
  const [kind, dir, file, extra, format = 'x12'] = args as [string, string, string, string | undefined, string | undefined];
  const codec = format === 'edifact' ? 'edifact' : 'x12';
  const logger = pino({ level: 'silent' });
  let endpoint: string;
  if (kind === 'folder') {
    mkdirSync(join(dir, 'drop'), { recursive: true });
    endpoint = `in: { type: folder, inbox: ${join(dir, 'drop')}, minAgeMs: 0, pollIntervalMs: 100, codec: ${codec} }`;
  } else if (kind === 'sftp') {
    const s = JSON.parse(extra!) as { host: string; port: number; username: string; privateKeyPath: string; hostKeyFingerprint: string; inbox: string };
    endpoint = `in: { type: sftp, host: ${s.host}, port: ${s.port}, username: ${s.username}, privateKeyPath: ${s.privateKeyPath}, hostKey: "${s.hostKeyFingerprint}", remoteInbox: ${s.inbox}, pollIntervalMs: 100, codec: ${codec} }`;
  } else {
    endpoint = `in: { type: folder, outbox: ./unused, codec: ${codec} }`;
  }
  const hub = await Hub.start(parseConfig(hubConfig(dir, endpoint), dir), { logger });
  // CAUSEWAY_BENCH_MEMORY=1: where the memory is, every second, on stderr.
  const sampler = process.env.CAUSEWAY_BENCH_MEMORY ? setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(`rss ${(m.rss / 1048576).toFixed(0)} heapTotal ${(m.heapTotal / 1048576).toFixed(0)} heapUsed ${(m.heapUsed / 1048576).toFixed(0)} external ${(m.external / 1048576).toFixed(0)} arrayBuffers ${(m.arrayBuffers / 1048576).toFixed(0)}\n`);
  }, 1000) : undefined;
  const started = Date.now();
  if (kind === 'folder') renameSync(file, join(dir, 'drop', 'orders.edi'));
  if (kind === 'sftp') renameSync(file, join(JSON.parse(extra!).inbox, 'orders.edi'));
  if (kind === 'replay') {
    const [m] = await hub.store.listMessages({ tenant: 'bench' });
    await hub.store.requeueMessages('bench', [m!.id], Date.now());
    hub.processorWakeup.notify();
  }
  const done = await settled(hub, started);
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  const sets = countDocuments(hub, done.id);
  await hub.stop();
  process.stdout.write(`${JSON.stringify({ seconds, sets, status: done.status, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

export async function runLargeFilesBench(opts: { mb?: number; format?: LargeFileFormat; keep?: boolean; nodeOptions?: string; log?: (l: string) => void } = {}): Promise<LargeFileRow[]> {
  const format = opts.format ?? 'x12';
  const log = opts.log ?? ((l: string) => console.log(l));
  const env = opts.nodeOptions ? { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${opts.nodeOptions}`.trim() } : process.env;
  if (opts.nodeOptions) log(`product paths run with NODE_OPTIONS="${env.NODE_OPTIONS}"`);
  const mb = opts.mb ?? 1024;
  const dir = mkdtempSync(join(tmpdir(), 'causeway-large-bench-'));
  const rows: LargeFileRow[] = [];
  const timeout = Math.max(120_000, mb * 2000);
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
    if (format === 'x12') {
      for (const c of ['causeway', 'node-x12-stream', 'bare-scan']) {
        const r = measureX12Contender(c, file, timeout);
        add(`loop: ${c}`, { seconds: r.seconds, peakRssMb: r.peakRssMb, ...(r.error ? { error: r.error } : {}) });
      }
    } else {
      const r = measureEdifactContender('causeway', file, timeout);
      add('loop: causeway', { seconds: r.seconds, peakRssMb: r.peakRssMb, ...(r.error ? { error: r.error } : {}) });
    }
    add('causeway decode', timeCli(['decode', '--codec', format, file], timeout, env));
    if (format === 'x12') add('causeway x12 inspect', timeCli(['x12', 'inspect', file], timeout, env));
    const hubDir = join(dir, 'hub');
    mkdirSync(hubDir);
    const copy = join(dir, 'drop-me.edi');
    execFileSync('cp', [file, copy]);
    const folder = runHubChild(['folder', hubDir, copy, '', format], timeout * 4, env);
    add('serve: folder -> committed', 'error' in folder ? { seconds: NaN, peakRssMb: NaN, error: folder.error } : folder);
    const replay = runHubChild(['replay', hubDir, '', '', format], timeout * 4, env);
    add('serve: replay of the stored file', 'error' in replay ? { seconds: NaN, peakRssMb: NaN, error: replay.error } : replay);
    const noSshd = await sshdUnavailable();
    if (noSshd) log(`serve: sftp -> committed  skipped: ${noSshd}`);
    else {
      const sshd = await startSshd();
      try {
        const inbox = join(sshd.root, 'out');
        mkdirSync(inbox);
        const sftpDir = join(dir, 'hub-sftp');
        mkdirSync(sftpDir);
        execFileSync('cp', [file, copy]);
        const sftp = runHubChild(['sftp', sftpDir, copy, JSON.stringify({ host: sshd.host, port: sshd.port, username: sshd.username, privateKeyPath: sshd.privateKeyPath, hostKeyFingerprint: sshd.hostKeyFingerprint, inbox }), format], timeout * 4, env);
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
      log(`  ${r.path}: ${against}; peak RSS ${r.peakRssMb.toFixed(0)} MB${r.peakRssMb < RSS_LIMIT_MB ? '' : ` — OVER ${RSS_LIMIT_MB} MB`}`);
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
  if (args[0] === '--worker') await worker(args.slice(1));
  else {
    const at = args.indexOf('--mb');
    const no = args.indexOf('--node-options');
    const fo = args.indexOf('--format');
    await runLargeFilesBench({ mb: at >= 0 ? Number(args[at + 1]) : 1024, format: fo >= 0 && args[fo + 1] === 'edifact' ? 'edifact' : 'x12', keep: args.includes('--keep'), nodeOptions: no >= 0 ? args[no + 1] : undefined });
  }
}
