import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { openStore } from '../../src/store/index.ts';
import { deliveryFileName, folderEndpoint } from '../../src/transports/folder/index.ts';
import type { OutboundMessage, SinkRuntime } from '../../src/transports/index.ts';

const root = mkdtempSync(join(tmpdir(), 'causeway-folder-'));
after(() => rmSync(root, { recursive: true, force: true }));

const outbound = (idempotencyKey: string, documentType = 'sales_order'): OutboundMessage => ({
  deliveryId: 1, tenant: 'acme', endpoint: 'wms', documentType, documentId: 'd', entityKey: 'order:SO-1',
  idempotencyKey, contentType: 'application/json', payload: Buffer.from(JSON.stringify({ key: idempotencyKey })), attempt: 1,
});

describe('folder outbox file names', () => {
  const hostile = ['../../escaped', '/etc/passwd', '..', '.', 'a\u0000b', 'SO-Ł-1', 'SO-Ł-2', 'a/b', 'a_b', 'x'.repeat(400), `${'x'.repeat(400)}y`, ''];

  it('keeps a plain key as the name, so a redelivery rewrites the same file', () => {
    assert.equal(deliveryFileName(outbound('cw-41-0-orders-to-wms'), '.json'), 'sales_order-cw-41-0-orders-to-wms.json');
  });

  it('never leaves the folder, never hides a file, and gives different keys different names', () => {
    const names = hostile.map((k) => deliveryFileName(outbound(k), '.json'));
    for (const n of names) {
      assert.match(n, /^[A-Za-z0-9][A-Za-z0-9._~-]*\.json$/, n);
      assert.ok(n.length <= 240, `${n.length} characters`);
    }
    assert.equal(new Set(names).size, names.length, 'no two keys share a file');
    assert.equal(deliveryFileName(outbound('SO-Ł-1'), '.json'), deliveryFileName(outbound('SO-Ł-1'), '.json'), 'the same key, the same name');
    assert.match(deliveryFileName(outbound('k', '../type'), '.json'), /^[A-Za-z0-9_-][A-Za-z0-9._~-]*\.json$/, 'a document type cannot climb out either');
  });

  it('writes every one of them inside the outbox', async () => {
    const outbox = join(root, 'out');
    const sink = folderEndpoint.createSink!(folderEndpoint.config.parse({ outbox }), { name: 'wms', tenant: 'acme', logger: pino({ level: 'silent' }), store: undefined as never, baseDir: root }) as SinkRuntime;
    for (const k of hostile) {
      const outcome = await sink.deliver(outbound(k), AbortSignal.timeout(5000));
      assert.equal(outcome.kind, 'delivered', `${JSON.stringify(k)}: ${JSON.stringify(outcome)}`);
    }
    const files = readdirSync(outbox);
    assert.equal(files.length, hostile.length);
    assert.deepEqual(files.map((f) => JSON.parse(readFileSync(join(outbox, f), 'utf8')).key).sort(), [...hostile].sort());
    assert.deepEqual(readdirSync(root), ['out'], 'nothing written beside the outbox');
  });
});

describe('folder inbox: a file it cannot take in', () => {
  it('moves a file over maxFileBytes to the error folder and raises an alert naming it; the files behind it come in', async () => {
    const inbox = join(root, 'in-large');
    const store = await openStore('sqlite::memory:');
    try {
      const source = await folderEndpoint.createSource!({ inbox, minAgeMs: 0, maxFileBytes: 10, extensions: [], batchSize: 200, fileExtension: '.json' },
        { name: 'erp-files', tenant: 'acme', logger: pino({ level: 'silent' }), store, baseDir: root });
      mkdirSync(inbox, { recursive: true });
      writeFileSync(join(inbox, 'big.csv'), 'x'.repeat(20));
      writeFileSync(join(inbox, 'small.csv'), 'y'.repeat(5));
      const polled = await source.poll!(null, new AbortController().signal);
      assert.deepEqual(polled.messages.map((m) => m.partnerRef), ['small.csv']);
      assert.deepEqual(readdirSync(join(inbox, 'error')), ['big.csv']);
      const [alert, ...more] = await store.listAlerts('acme', { kind: 'source_file_skipped' });
      assert.equal(more.length, 0);
      assert.equal(alert!.subject, 'endpoint erp-files file big.csv');
      assert.equal(alert!.message, `erp-files: big.csv (20 bytes) was not taken in: it is larger than maxFileBytes (10 bytes); it was moved to ${join(inbox, 'error')}`);
    } finally {
      await store.close();
    }
  });
});

describe('folder inbox: a symbolic link', () => {
  it('is not followed: moved to the error folder as it is, with an alert, and the files behind it come in', async () => {
    const base = mkdtempSync(join(tmpdir(), 'causeway-folder-link-'));
    const store = await openStore('sqlite::memory:');
    try {
      const inbox = join(base, 'in');
      mkdirSync(inbox);
      writeFileSync(join(base, 'secret.txt'), 'not for the partner');
      symlinkSync(join(base, 'secret.txt'), join(inbox, 'a-link.json'));
      writeFileSync(join(inbox, 'b-order.json'), '{}');
      const source = await folderEndpoint.createSource!({ inbox, minAgeMs: 0, maxFileBytes: 1e9, extensions: [], batchSize: 200, fileExtension: '.json' },
        { name: 'erp-files', tenant: 'acme', logger: pino({ level: 'silent' }), store, baseDir: base });
      const polled = await source.poll!(null, new AbortController().signal);
      assert.deepEqual(polled.messages.map((m) => m.partnerRef), ['b-order.json']);
      assert.ok(lstatSync(join(inbox, 'error', 'a-link.json')).isSymbolicLink(), 'the link itself moved');
      assert.equal(readFileSync(join(base, 'secret.txt'), 'utf8'), 'not for the partner');
      const [alert] = await store.listAlerts('acme', { kind: 'source_file_skipped' });
      assert.match(alert!.message, /^erp-files: a-link\.json \(\d+ bytes\) was not taken in: it is a symbolic link, which is not followed/);
      await polled.afterStored?.([]);
      assert.deepEqual((await source.poll!(null, new AbortController().signal)).messages, [], 'nothing left to take');
    } finally {
      await store.close();
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('folder inbox: a file the hub may not read', () => {
  // Root reads every file: the poll runs as the unprivileged user "nobody" where the tests run as root.
  const asNobody = process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0;
  it('moves it to the error folder with an alert, and the files behind it come in', { skip: asNobody ? false : 'needs root and runuser, to poll as another user' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'causeway-folder-locked-'));
    try {
      const inbox = join(dir, 'in');
      mkdirSync(inbox);
      writeFileSync(join(inbox, 'a-locked.json'), '{"a":1}');
      writeFileSync(join(inbox, 'b-ok.json'), '{"b":1}');
      // Over 1 MB the inbox reads it later in chunks; it too is known unreadable before it is handed on.
      writeFileSync(join(inbox, 'a-locked-large.json'), JSON.stringify({ pad: 'x'.repeat(1_100_000) }));
      utimesSync(join(inbox, 'a-locked-large.json'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      chmodSync(join(inbox, 'a-locked-large.json'), 0o000);
      // The older file first in line: before, its read failed the poll, and every poll after it.
      utimesSync(join(inbox, 'a-locked.json'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      chmodSync(dir, 0o777);
      chmodSync(inbox, 0o777);
      chmodSync(join(inbox, 'b-ok.json'), 0o644);
      chmodSync(join(inbox, 'a-locked.json'), 0o000);
      const script = fileURLToPath(new URL('../support/poll-folder-once.ts', import.meta.url));
      const run = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', script, inbox], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
      assert.deepEqual(out.taken, ['b-ok.json']);
      assert.equal(out.alerts.length, 2);
      assert.match(out.alerts.find((a: string) => a.includes('large')), /^erp-files: a-locked-large\.json \(1,100,010 bytes\) was not taken in: it cannot be read \(EACCES/);
      assert.match(out.alerts.find((a: string) => !a.includes('large')), /^erp-files: a-locked\.json \(7 bytes\) was not taken in: it cannot be read \(EACCES: permission denied, open .*\); it was moved to .*error$/);
      assert.deepEqual(readdirSync(join(inbox, 'error')).sort(), ['a-locked-large.json', 'a-locked.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('folder endpoint: a folder that cannot be made yet', () => {
  it('tries again at the next poll or delivery, rather than failing for good', async () => {
    const base = mkdtempSync(join(tmpdir(), 'causeway-folder-late-'));
    try {
      // A file where the folders should go: mkdir fails as it does on a share not mounted yet.
      writeFileSync(join(base, 'share'), 'not a folder');
      const ctx = { name: 'files', tenant: 'acme', logger: pino({ level: 'silent' }), store: undefined as never, baseDir: base };
      const config = { inbox: 'share/in', outbox: 'share/out', minAgeMs: 0, maxFileBytes: 1e9, extensions: [], batchSize: 200, fileExtension: '.json' };
      const source = await folderEndpoint.createSource!(config, ctx);
      const sink = (await folderEndpoint.createSink!(config, ctx)) as SinkRuntime;
      await assert.rejects(source.poll!(null, new AbortController().signal), /ENOTDIR|EEXIST/);
      const refused = await sink.deliver(outbound('k-1'), AbortSignal.timeout(5000));
      assert.equal(refused.kind, 'retryable');
      rmSync(join(base, 'share'));
      mkdirSync(join(base, 'share'));
      writeFileSync(join(base, 'share', 'order.json'), '{}');
      // mkdir makes share/in: the file dropped beside it is not in the inbox; one dropped in it is.
      assert.deepEqual((await source.poll!(null, new AbortController().signal)).messages, []);
      writeFileSync(join(base, 'share', 'in', 'order.json'), '{}');
      // Dated a minute back: a file system's clock may run a little ahead of the process's.
      utimesSync(join(base, 'share', 'in', 'order.json'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      assert.deepEqual((await source.poll!(null, new AbortController().signal)).messages.map((m) => m.partnerRef), ['order.json']);
      assert.equal((await sink.deliver(outbound('k-1'), AbortSignal.timeout(5000))).kind, 'delivered');
      assert.deepEqual(readdirSync(join(base, 'share', 'out')), ['sales_order-k-1.json']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('folder inbox: archive and error folders on another file system', () => {
  // /dev/shm is a memory file system of its own on Linux: a rename from the temporary folder into it fails with EXDEV.
  const otherDevice = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
  it('moves files across with a copy, as a rename cannot', { skip: otherDevice ? false : 'needs /dev/shm on another file system than the temporary folder' }, async () => {
    const base = mkdtempSync(join(tmpdir(), 'causeway-folder-xdev-'));
    const far = mkdtempSync('/dev/shm/causeway-folder-xdev-');
    const store = await openStore('sqlite::memory:');
    try {
      const inbox = join(base, 'in');
      mkdirSync(inbox);
      writeFileSync(join(inbox, 'order.json'), '{"a":1}');
      writeFileSync(join(inbox, 'huge.json'), 'x'.repeat(64));
      const source = await folderEndpoint.createSource!({ inbox, archive: join(far, 'archive'), error: join(far, 'error'), minAgeMs: 0, maxFileBytes: 32, extensions: [], batchSize: 200, fileExtension: '.json' },
        { name: 'erp-files', tenant: 'acme', logger: pino({ level: 'silent' }), store, baseDir: base });
      const polled = await source.poll!(null, new AbortController().signal);
      assert.deepEqual(polled.messages.map((m) => m.partnerRef), ['order.json']);
      await polled.afterStored?.([]);
      assert.deepEqual(readdirSync(inbox), []);
      assert.equal(readFileSync(join(far, 'archive', 'order.json'), 'utf8'), '{"a":1}');
      assert.deepEqual(readdirSync(join(far, 'error')), ['huge.json']);
    } finally {
      await store.close();
      rmSync(base, { recursive: true, force: true });
      rmSync(far, { recursive: true, force: true });
    }
  });
});
