// causeway prune (dry run, then for real, with an archive) and causeway archive read, which gives
// a pruned message's raw bytes back exactly as they were received.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/index.ts';

const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'causeway-cli-prune-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const RECEIVED = Date.now() - 10 * DAY;
const BODY = Buffer.from('ISA*00*          *00*          *ZZ*ACME*...~\r\n\u00e9 bytes as they came');

function causeway(...args: string[]): { status: number | null; stdout: string; stderr: string; raw: Buffer } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), raw: r.stdout };
}

describe('causeway prune and archive read', () => {
  let messageId = 0;
  before(async () => {
    writeFileSync(join(dir, 'causeway.yaml'), `store: sqlite:hub.db
retention:
  rawDays: 7
  archive: { folder: archive }
`);
    const store = new SqliteStore({ path: join(dir, 'hub.db') });
    await store.migrate();
    [{ messageId }] = await store.acceptMessages([{ tenant: 'default', endpoint: 'sftp-in', codec: 'x12', idempotencyKey: 'k1', contentHash: 'h1', body: BODY, receivedAt: RECEIVED }]);
    await store.completeMessages([{ messageId, status: 'processed', documents: [], deliveries: [] }], RECEIVED);
    const [young] = await store.acceptMessages([{ tenant: 'default', endpoint: 'sftp-in', codec: 'x12', idempotencyKey: 'k2', contentHash: 'h2', body: BODY, receivedAt: Date.now() }]);
    await store.completeMessages([{ messageId: young!.messageId, status: 'processed', documents: [], deliveries: [] }], Date.now());
    await store.close();
  });

  it('counts first, prunes, and reads the archive back', () => {
    const dry = causeway('prune', '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /would prune tenant default: raw bytes of 1 message\(s\)/);

    const run = causeway('prune');
    assert.equal(run.status, 0, run.stderr);
    const day = new Date(RECEIVED).toISOString().slice(0, 10);
    assert.match(run.stdout, new RegExp(`pruned tenant default: raw bytes of 1 message\\(s\\).*archived to default/${day}\\.jsonl\\.gz`));
    assert.match(causeway('prune').stdout, /raw bytes of 0 message\(s\)/, 'nothing left the second time');

    const file = join('archive', 'default', `${day}.jsonl.gz`);
    const lines = causeway('archive', 'read', file).stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.kind), ['raw', 'raw-part']);
    assert.equal(lines[0].messageId, messageId);
    assert.equal(lines[0].endpoint, 'sftp-in');
    const bytes = causeway('archive', 'read', file, '--message', String(messageId), '--raw');
    assert.equal(bytes.status, 0, bytes.stderr);
    assert.ok(bytes.raw.equals(BODY), 'the bytes as received');
    const missing = causeway('archive', 'read', file, '--message', '999');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no record of message 999/);
  });
});
