// X12 decode/encode benchmark: generated 940 and 856 files of 10 MB and 100 MB, decoded to canonical
// documents by Causeway and, on the same files, by node-x12, x12-parser, a bare split on the delimiters
// and a bare character scan. Each contender runs in its own child process so peak memory is its own.
// Speeds are given by the clock and by the process's CPU time over the same stretch; on a busy machine
// the clock measures the others' work too, and the CPU-time ratios are the ones that hold.
//   node --import tsx bench/x12.ts [--quick] [--keep]
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateX12 } from '../test/support/x12-files.ts';

export interface X12BenchOptions {
  /** Sizes in MB; default [10, 100]. */
  sizesMb?: number[];
  /** Where generated files go (never the repository). */
  dir?: string;
  /** Keep the generated files afterwards. */
  keep?: boolean;
  /** Skip the library contenders on files above this size (MB); they take long and lots of memory. Default 100. */
  librariesUpToMb?: number;
  log?: (line: string) => void;
}

export interface X12BenchRow {
  file: string;
  contender: string;
  mb: number;
  seconds: number;
  mbPerSecond: number;
  /** CPU time of the contender's whole process (all its threads: collector, compiler) while it ran, startup left out. */
  cpuSeconds: number;
  mbPerCpuSecond: number;
  setsPerSecond: number;
  documents: number;
  peakRssMb: number;
  error?: string;
}

const HERE = fileURLToPath(import.meta.url);

// ---- generated inputs ---------------------------------------------------------------------------

/** Writes a file of about `mb` megabytes: interchanges of one group with 500 sets each. */
export async function generate(path: string, kind: '940' | '856', mb: number): Promise<void> {
  await generateX12(path, kind, mb);
}

// ---- contenders (each runs in a child process) -------------------------------------------------------

// Loaded before the clock starts, so module loading is not counted against anyone.
const x12 = await import('../src/edi/x12/index.ts');
const nodeX12 = await import('node-x12');
const x12Parser = await import('x12-parser');

async function runContender(name: string, file: string): Promise<{ sets: number; documents: number }> {
  const ctx = { tenant: 'bench', endpoint: 'bench', receivedAt: '2026-03-01T00:00:00Z' };
  const stream = () => createReadStream(file, { highWaterMark: 1 << 20 });
  switch (name) {
    case 'causeway':
    case 'causeway-peer-heap': {
      let sets = 0;
      let documents = 0;
      for await (const batch of x12.decodeX12StreamBatches(stream(), ctx)) {
        for (const it of batch) {
          if (it.kind !== 'set') continue;
          sets++;
          documents += it.documents.length;
          if (!it.accepted) throw new Error(`set ${it.set.controlNumber} rejected: ${it.errors[0]?.message}`);
        }
      }
      return { sets, documents };
    }
    case 'causeway-in-memory': {
      let sets = 0;
      let documents = 0;
      for (const it of x12.decodeX12(readFileSync(file), ctx)) {
        if (it.kind !== 'set') continue;
        sets++;
        documents += it.documents.length;
      }
      return { sets, documents };
    }
    case 'bare-scan': {
      // Finds segment and element boundaries and nothing else: the practical ceiling in JavaScript.
      let segments = 0;
      let elements = 0;
      for await (const chunk of stream()) {
        const s = (chunk as Buffer).toString('latin1');
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          if (c === 126) segments++;
          else if (c === 42) elements++;
        }
      }
      return { sets: Math.round(segments / 1e9) + elements * 0, documents: 0 };
    }
    case 'bare-split': {
      let carry = '';
      let elements = 0;
      for await (const chunk of stream()) {
        const parts = (carry + (chunk as Buffer).toString('latin1')).split('~');
        carry = parts.pop() ?? '';
        for (const p of parts) elements += p.split('*').length;
      }
      return { sets: 0, documents: elements * 0 };
    }
    case 'node-x12-stream': {
      const { X12Parser } = nodeX12;
      let segments = 0;
      // Not strict: node-x12's strict stream mode rejects ISAs cut by a chunk boundary.
      const parser = new X12Parser(false);
      await new Promise<void>((resolve, reject) => {
        stream().pipe(parser).on('data', () => segments++).on('end', resolve).on('error', reject);
      });
      return { sets: 0, documents: 0 };
    }
    case 'node-x12-parse': {
      const { X12Parser } = nodeX12;
      const ic = new X12Parser(true).parse(readFileSync(file, 'latin1')) as unknown as { interchanges?: unknown[] };
      return { sets: 0, documents: ic ? 0 : 0 };
    }
    case 'x12-parser': {
      const { X12parser } = x12Parser;
      let segments = 0;
      await new Promise<void>((resolve, reject) => {
        stream().pipe(new X12parser()).on('data', () => segments++).on('end', resolve).on('error', reject);
      });
      return { sets: 0, documents: 0 };
    }
    default:
      throw new Error(`unknown contender ${name}`);
  }
}

/** Encode throughput: documents decoded once, then written as 940/856 interchanges of 500 sets. */
async function runEncode(file: string): Promise<{ bytes: number; documents: number; seconds: number; cpuSeconds: number }> {
  const { decodeX12, encodeDocument, writeInterchange } = x12;
  const ctx = { tenant: 'bench', endpoint: 'bench', receivedAt: '2026-03-01T00:00:00Z' };
  const docs = [];
  for (const it of decodeX12(readFileSync(file), ctx)) if (it.kind === 'set') docs.push(...it.documents);
  const setId = file.includes('856') ? '856' : undefined;
  let n = 0;
  const nextControlNumber = async () => ++n;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < docs.length; i += 500) {
    const sets = docs.slice(i, i + 500).map((d) => {
      const e = encodeDocument(d, setId);
      return { id: e.id, segments: e.segments };
    });
    const w = await writeInterchange([{ senderCode: 'A', receiverCode: 'B', version: '004010', sets }], { sender: { qualifier: 'ZZ', id: 'A' }, receiver: { qualifier: 'ZZ', id: 'B' }, version: '00401', nextControlNumber });
    bytes += w.text.length;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { bytes, documents: docs.length, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function worker(args: string[]): Promise<void> {
  const [name, file] = args as [string, string];
  if (name === 'causeway-encode') {
    const r = await runEncode(file);
    process.stdout.write(JSON.stringify({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, sets: r.documents, documents: r.documents, bytes: r.bytes, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
    return;
  }
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const r = await runContender(name, file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, sets: r.sets, documents: r.documents, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/**
 * Heap limits. `causeway` runs under a 128 MB cap: finishing under it shows that memory is bounded by the
 * window and the set, not the file. The cap is not free: V8 collects more often under it (on 2026-12-04,
 * 7% more CPU on the 100 MB 940, 18% on the 856; node-x12's stream took 50% more under the same cap).
 * So the speed ratios are taken from `causeway-peer-heap`, the same decoder under the peers' limit:
 * every contender compared runs under the same Node flags. 4 GB is what node-x12's full parse needs.
 */
const HEAP_MB: Readonly<Record<string, number>> = { causeway: 128 };
const PEER_HEAP_MB = 4096;

/** One contender on one file in a child process of its own: its speed and peak RSS. */
export function measureX12Contender(name: string, file: string, timeoutMs: number): Omit<X12BenchRow, 'file' | 'contender' | 'mb'> {
  return runChild(name, file, timeoutMs);
}

function runChild(name: string, file: string, timeoutMs: number): Omit<X12BenchRow, 'file' | 'contender' | 'mb'> & { bytes?: number } {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', `--max-old-space-size=${HEAP_MB[name] ?? PEER_HEAP_MB}`, HERE, '--worker', name, file], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
    const r = JSON.parse(out) as { seconds: number; cpuSeconds: number; sets: number; documents: number; peakRssMb: number; bytes?: number };
    const mb = r.bytes !== undefined ? r.bytes / 1048576 : statSync(file).size / 1048576;
    return { seconds: r.seconds, mbPerSecond: mb / r.seconds, cpuSeconds: r.cpuSeconds, mbPerCpuSecond: mb / r.cpuSeconds, setsPerSecond: r.sets / r.seconds, documents: r.documents, peakRssMb: r.peakRssMb, ...(r.bytes !== undefined ? { bytes: r.bytes } : {}) };
  } catch (e) {
    const err = e as { killed?: boolean; stderr?: string; message: string };
    return { seconds: NaN, mbPerSecond: NaN, cpuSeconds: NaN, mbPerCpuSecond: NaN, setsPerSecond: NaN, documents: 0, peakRssMb: NaN, error: err.killed ? `timed out after ${timeoutMs / 1000} s` : (err.stderr ?? err.message).split('\n').find((l) => l.trim()) ?? err.message };
  }
}

export async function runX12Bench(opts: X12BenchOptions = {}): Promise<X12BenchRow[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const sizes = opts.sizesMb ?? [10, 100];
  const dir = opts.dir ?? join(tmpdir(), 'causeway-x12-bench');
  const librariesUpTo = opts.librariesUpToMb ?? 100;
  mkdirSync(dir, { recursive: true });
  const rows: X12BenchRow[] = [];
  for (const kind of ['940', '856'] as const) {
    for (const mb of sizes) {
      const file = join(dir, `${kind}-${mb}mb.edi`);
      if (!existsSync(file) || Math.abs(statSync(file).size / 1048576 - mb) > 1) await generate(file, kind, mb);
      const contenders = ['causeway', 'causeway-peer-heap', 'bare-scan', 'bare-split'];
      if (mb <= 10) contenders.push('causeway-in-memory', 'node-x12-parse');
      if (mb <= librariesUpTo) contenders.push('node-x12-stream', 'x12-parser');
      for (const c of contenders) {
        const r = runChild(c, file, 90_000);
        const row: X12BenchRow = { file: `${kind} ${mb} MB`, contender: c, mb, ...r };
        rows.push(row);
        log(formatRow(row));
      }
      if (mb <= 10) {
        const r = runChild('causeway-encode', file, 60_000);
        const row: X12BenchRow = { file: `${kind} ${mb} MB`, contender: 'causeway-encode', mb, ...r };
        rows.push(row);
        log(formatRow(row) + '  (MB/s of X12 written)');
      }
      const capped = rows.find((x) => x.file === `${kind} ${mb} MB` && x.contender === 'causeway')!;
      const mine = rows.find((x) => x.file === `${kind} ${mb} MB` && x.contender === 'causeway-peer-heap')!;
      const ratios = (speed: (x: X12BenchRow) => number) => {
        const best = (names: string[]) => Math.max(...rows.filter((x) => x.file === mine.file && names.includes(x.contender) && !x.error).map(speed));
        const mineSpeed = speed(mine);
        return (
          `${(mineSpeed / best(['node-x12-stream', 'node-x12-parse'])).toFixed(1)}x node-x12's best, ${(mineSpeed / best(['x12-parser'])).toFixed(1)}x x12-parser, ` +
          `${(mineSpeed / best(['bare-split'])).toFixed(2)}x bare split, ${(mineSpeed / best(['bare-scan'])).toFixed(2)}x bare scan`
        );
      };
      log(`  ${mine.file}: causeway (the peers' heap limit) = ${ratios((x) => x.mbPerSecond)} by the clock; ${ratios((x) => x.mbPerCpuSecond)} by CPU time; peak RSS ${mine.peakRssMb.toFixed(0)} MB`);
      log(`  ${mine.file}: causeway under the ${HEAP_MB.causeway} MB heap cap: ${capped.mbPerCpuSecond.toFixed(1)} MB per CPU s, peak RSS ${capped.peakRssMb.toFixed(0)} MB`);
    }
  }
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  return rows;
}

function formatRow(r: X12BenchRow): string {
  if (r.error) return `${r.file.padEnd(12)} ${r.contender.padEnd(20)} failed: ${r.error}`;
  return `${r.file.padEnd(12)} ${r.contender.padEnd(20)} ${r.mbPerSecond.toFixed(1).padStart(7)} MB/s ${r.setsPerSecond ? r.setsPerSecond.toFixed(0).padStart(8) + ' sets/s' : '             '} ${r.peakRssMb.toFixed(0).padStart(6)} MB peak RSS  ${r.seconds.toFixed(2)} s  ${r.mbPerCpuSecond.toFixed(1).padStart(7)} MB per CPU s`;
}

if (process.argv[1] === HERE) {
  const args = process.argv.slice(2);
  if (args[0] === '--worker') await worker(args.slice(1));
  else await runX12Bench({ sizesMb: args.includes('--quick') ? [10] : [10, 100], keep: args.includes('--keep') });
}
