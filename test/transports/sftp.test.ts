import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import SftpClient from 'ssh2-sftp-client';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { deliveryFileName } from '../../src/transports/folder/index.ts';
import type { OutboundMessage, SinkRuntime } from '../../src/transports/index.ts';
import { advanceCursor, newFiles, normalisePrivateKey, openRemoteFile, parseCursor, sftpEndpoint, type RemoteFile, type SftpConfig } from '../../src/transports/sftp/index.ts';
import { salesOrder } from '../support/documents.ts';
import { waitFor } from '../support/receiver.ts';
import { sshdUnavailable, startSshd, type SshServer } from '../support/sshd.ts';
import { generateX12 } from '../support/x12-files.ts';

const silent = pino({ level: 'silent' });
const T = 1_790_000_000; // a fixed second, so mtimes are chosen by the test rather than the clock

describe('sftp inbox cursor', () => {
  const f = (name: string, mtime: number): RemoteFile => ({ name, mtime, size: 1 });

  it('takes a file that appears later in the same second as the last one taken', () => {
    let cursor = parseCursor(null);
    const first = [f('a.edi', T)];
    cursor = advanceCursor(cursor, first, newFiles(first, cursor), [], [], 100);
    const later = [f('a.edi', T), f('b.edi', T)];
    assert.deepEqual(newFiles(later, cursor).map((x) => x.name), ['b.edi']);
  });

  it('takes a file renamed into the inbox with an mtime older than files already taken', () => {
    let cursor = parseCursor(null);
    const first = [f('b.edi', T + 5)];
    cursor = advanceCursor(cursor, first, newFiles(first, cursor), [], [], 100);
    assert.deepEqual(newFiles([...first, f('a.edi', T)], cursor).map((x) => x.name), ['a.edi']);
  });

  it('takes a file again when it is rewritten under the same name', () => {
    let cursor = parseCursor(null);
    cursor = advanceCursor(cursor, [f('stock.csv', T)], [f('stock.csv', T)], [], [], 100);
    assert.deepEqual(newFiles([f('stock.csv', T + 60)], cursor).map((x) => x.mtime), [T + 60]);
  });

  it('forgets files that left the inbox and folds the oldest seconds past cursorMaxNames, never past a pending file', () => {
    const listing = Array.from({ length: 30 }, (_, i) => f(`f${String(i).padStart(2, '0')}`, T + Math.floor(i / 3)));
    let cursor = parseCursor(null);
    const batch = newFiles(listing, cursor).slice(0, 20);
    cursor = advanceCursor(cursor, listing, batch, [], newFiles(listing, cursor).slice(20), 12);
    assert.ok(cursor.taken.length <= 14 && cursor.taken.length >= 12, `kept ${cursor.taken.length}`);
    assert.equal(cursor.below, T + 2);
    // Nothing taken comes back, the ten not taken yet are all still new, and the boundary second is still listed.
    assert.deepEqual(newFiles(listing, cursor).map((x) => x.name), listing.slice(20).map((x) => x.name));
    assert.deepEqual(newFiles([...listing, f('late', T + 2)], cursor).map((x) => x.name).at(0), 'late');
    // A pending file older than the fold point holds the fold back.
    const held = advanceCursor(parseCursor(null), listing, listing.slice(1), [], [listing[0]], 12);
    assert.equal(held.below, T);
    // Once archived (gone from the listing) the entries are dropped.
    assert.deepEqual(advanceCursor(cursor, listing.slice(20), [], [], [], 12).taken, []);
  });

  it('refuses a cursor that is not its own', () => {
    assert.throws(() => parseCursor('{"offset": 12}'), /not an SFTP inbox cursor/);
  });

  it('restores a key whose line breaks were folded to spaces or written as \\n', () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQUJD\n-----END OPENSSH PRIVATE KEY-----\n';
    assert.equal(normalisePrivateKey(key.replace(/\n/g, ' ')), key);
    assert.equal(normalisePrivateKey(key.replace(/\n/g, '\\n')), key);
    assert.equal(normalisePrivateKey(key), key);
  });

  it('rejects a config without a way to log in or a folder to use', () => {
    assert.throws(() => parseConfig('endpoints: { wms: { type: sftp, host: h, username: u, remoteInbox: /out } }', '/tmp'), /privateKey, privateKeyPath or password/);
    assert.throws(() => parseConfig('endpoints: { wms: { type: sftp, host: h, username: u, password: p } }', '/tmp'), /remoteInbox, a remoteOutbox or both/);
  });
});

const skip = await sshdUnavailable();

describe('sftp transport against OpenSSH', { skip }, () => {
  let sshd: SshServer;
  let dir: string;
  const hubs: Hub[] = [];

  before(async () => {
    sshd = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'causeway-sftp-'));
  });
  after(async () => {
    for (const hub of hubs) await hub.stop().catch(() => undefined);
    await sshd?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A remote folder (on this machine, served by sshd) created fresh for one test. */
  function remote(name: string): string {
    const path = join(sshd.root, name);
    mkdirSync(path, { recursive: true });
    return path;
  }

  function login(over: Record<string, unknown> = {}): string {
    const fields = { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyPath: sshd.privateKeyPath, hostKey: sshd.hostKeyFingerprint, ...over };
    return Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  }

  async function startHub(yaml: string, logger = silent): Promise<Hub> {
    const hub = await Hub.start(parseConfig(yaml, dir), { logger, idleMs: 20 });
    hubs.push(hub);
    return hub;
  }

  async function stopHub(hub: Hub): Promise<void> {
    await hub.stop();
    hubs.splice(hubs.indexOf(hub), 1);
  }

  /** Drops a sales order file in a remote folder with a chosen mtime (whole seconds, as SFTP reports them). */
  function drop(folder: string, name: string, mtime: number): void {
    writeFileSync(join(folder, name), JSON.stringify(salesOrder(name.replace(/\.json$/, ''))));
    utimesSync(join(folder, name), mtime, mtime);
  }

  it('takes a file written straight to its final name only once two listings agree on its size and time', async () => {
    const inbox = remote('stable');
    const settings = parseConfig(`endpoints: { wms-out: { type: sftp, ${login()}, remoteInbox: ${inbox} } }`, dir).endpointSettings['wms-out'] as SftpConfig;
    const source = await sftpEndpoint.createSource!(settings, { name: 'wms-out', tenant: 'acme', logger: silent, store: undefined as never, baseDir: dir });
    const poll = async () => (await source.poll!(null, new AbortController().signal)).messages.map((m) => m.body.toString('utf8'));
    try {
      // The partner has written the first rows of its file: not taken at the first listing.
      writeFileSync(join(inbox, 'orders.csv'), 'order;sku;qty\nSO-1;A;1\n');
      utimesSync(join(inbox, 'orders.csv'), T, T);
      assert.deepEqual(await poll(), []);
      // It writes on: the size changed since the last listing, so it is still left alone.
      writeFileSync(join(inbox, 'orders.csv'), 'order;sku;qty\nSO-1;A;1\nSO-1;B;2\n');
      utimesSync(join(inbox, 'orders.csv'), T, T);
      assert.deepEqual(await poll(), []);
      // Unchanged since: taken whole.
      assert.deepEqual(await poll(), ['order;sku;qty\nSO-1;A;1\nSO-1;B;2\n']);
      const eager = await sftpEndpoint.createSource!({ ...settings, stableListings: false }, { name: 'wms-out', tenant: 'acme', logger: silent, store: undefined as never, baseDir: dir });
      assert.equal((await eager.poll!(null, new AbortController().signal)).messages.length, 1, 'stableListings: false takes it at once');
      await eager.close?.();
    } finally {
      await source.close?.();
    }
  });

  it('ingests every remote file exactly once across a restart, without an archive', async () => {
    const inbox = remote('exactly-once');
    const db = join(dir, 'exactly-once.db');
    const config = `
store: sqlite:${db}
defaultTenant: acme
endpoints:
  wms-out: { type: sftp, ${login()}, remoteInbox: ${inbox}, batchSize: 2, pollIntervalMs: 30 }
`;
    for (let i = 1; i <= 8; i++) drop(inbox, `so-${i}.json`, T + i);
    let hub = await startHub(config);
    // Stop mid-way: some batches stored, others not yet read.
    await waitFor(async () => (await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-out' })).length >= 2, 10_000, 'first batch');
    await stopHub(hub);
    // While stopped: a file in the same second as the newest, and one renamed in with an older mtime.
    drop(inbox, 'so-8b.json', T + 8);
    drop(inbox, 'so-0-late.json', T);
    hub = await startHub(config);
    const expected = [...Array.from({ length: 8 }, (_, i) => `so-${i + 1}.json`), 'so-8b.json', 'so-0-late.json'].map((n) => join(inbox, n)).sort();
    const messages = await waitFor(async () => {
      const m = await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-out' });
      return m.length >= expected.length ? m : undefined;
    }, 15_000, 'all files');
    // Files are taken oldest first, so the poll that takes a newer file would have taken any of the
    // others again before it: once it is stored, nothing further can arrive.
    drop(inbox, 'so-9-sentinel.json', T + 9);
    const sentinel = join(inbox, 'so-9-sentinel.json');
    await waitFor(async () => (await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-out' })).some((m) => m.partnerRef === sentinel), 10_000, 'a newer file after all the others');
    const all = (await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-out' })).filter((m) => m.partnerRef !== sentinel);
    assert.deepEqual(all.map((m) => m.partnerRef).sort(), expected);
    assert.equal(messages.length, expected.length);
    // The cursor kept the files from being read again at all, not just deduplicated by the inbox.
    assert.deepEqual(all.map((m) => m.duplicates), all.map(() => 0));
    // Without an archive the files stay where the partner put them.
    assert.equal(readdirSync(inbox).length, expected.length + 1);
    await stopHub(hub);
  });

  it('takes a file that appears in the same mtime second as the cursor', async () => {
    const inbox = remote('same-second');
    const hub = await startHub(`
store: sqlite:${join(dir, 'same-second.db')}
defaultTenant: acme
endpoints:
  wms-out: { type: sftp, ${login()}, remoteInbox: ${inbox}, pollIntervalMs: 30 }
`);
    drop(inbox, 'a.json', T);
    await waitFor(async () => (await hub.store.getCursor('acme', 'wms-out'))?.includes('a.json'), 10_000, 'cursor past a.json');
    drop(inbox, 'b.json', T);
    const refs = await waitFor(async () => {
      const m = await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-out' });
      return m.length >= 2 ? m.map((x) => x.partnerRef).sort() : undefined;
    }, 10_000, 'b.json');
    assert.deepEqual(refs, [join(inbox, 'a.json'), join(inbox, 'b.json')]);
    assert.deepEqual(JSON.parse((await hub.store.getCursor('acme', 'wms-out'))!).taken, [[T, 'a.json'], [T, 'b.json']]);
    await stopHub(hub);
  });

  it('moves read files to the archive once stored, finishing an interrupted move on a later poll; leaves files too large', async () => {
    const inbox = remote('archive-in');
    const archive = join(sshd.root, 'archive-later');
    const logged: string[] = [];
    const hub = await startHub(`
store: sqlite:${join(dir, 'archive.db')}
defaultTenant: acme
endpoints:
  wms-out: { type: sftp, ${login()}, remoteInbox: ${inbox}, remoteArchive: ${archive}, extensions: [.json], maxFileBytes: 2000, pollIntervalMs: 30 }
`, pino({ level: 'warn' }, { write: (line: string) => { logged.push(line); } }));
    writeFileSync(join(inbox, 'big.json'), JSON.stringify({ padding: 'x'.repeat(3000) }));
    drop(inbox, 'a.json', T);
    drop(inbox, 'ignored.txt', T);
    writeFileSync(join(inbox, 'c.json.part'), '{"half": ');
    await waitFor(async () => (await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-out' })).length, 10_000, 'a.json stored');
    // The archive folder does not exist yet: the move fails, the file stays, and the next poll tries
    // the move again rather than reading the file again.
    const failedMoves = () => logged.filter((l) => l.includes('moving a read file to the archive failed') && l.includes(join(inbox, 'a.json'))).length;
    await waitFor(() => failedMoves() >= 2, 10_000, 'a failed move of a.json, tried again on the next poll');
    assert.ok(existsSync(join(inbox, 'a.json')));
    mkdirSync(archive);
    writeFileSync(join(archive, 'b.json'), 'archived earlier under the same name');
    await waitFor(() => existsSync(join(archive, 'a.json')), 5000, 'a.json archived');
    drop(inbox, 'b.json', T + 1);
    await waitFor(() => readdirSync(archive).length === 3, 5000, 'b.json archived');
    assert.deepEqual(readdirSync(inbox).sort(), ['big.json', 'c.json.part', 'ignored.txt']);
    assert.equal(readFileSync(join(archive, 'b.json'), 'utf8'), 'archived earlier under the same name');
    assert.match(readdirSync(archive).find((n) => n.startsWith('b.json.'))!, /^b\.json\.\d+-\d+$/);
    const messages = await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-out' });
    assert.deepEqual(messages.map((m) => m.partnerRef).sort(), [join(inbox, 'a.json'), join(inbox, 'b.json')]);
    assert.deepEqual(messages.map((m) => m.duplicates), [0, 0]);
    const cursor = JSON.parse((await hub.store.getCursor('acme', 'wms-out'))!);
    assert.ok(cursor.taken.length <= 1);
    assert.deepEqual(cursor.skipped.map((e: [number, string]) => e[1]), ['big.json']);
    // The file left in the inbox is an alert, raised once however many polls see it.
    const skipped = await hub.store.listAlerts('acme', { kind: 'source_file_skipped' });
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0]!.subject, `endpoint wms-out file ${join(inbox, 'big.json')}`);
    assert.match(skipped[0]!.message, /big\.json \(3,\d{3} bytes\) was not taken in: it is larger than maxFileBytes \(2,000 bytes\); it is left in the remote inbox$/);
    await stopHub(hub);
  });

  it('downloads a file over 1 MB to the spool folder, stores it in chunks verbatim, and leaves no spool file', async () => {
    const inbox = remote('large-in');
    const spool = join(dir, 'spool');
    const hub = await startHub(`
store: sqlite:${join(dir, 'large.db')}
defaultTenant: acme
endpoints:
  wms-out: { type: sftp, ${login()}, remoteInbox: ${inbox}, spoolDir: ${spool}, pollIntervalMs: 30, codec: x12 }
`);
    const staged = join(dir, 'orders.edi');
    await generateX12(staged, '940', 2);
    const bytes = readFileSync(staged);
    renameSync(staged, join(inbox, 'orders.edi'));
    const [m] = await waitFor(async () => {
      const l = await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-out' });
      return l.length ? l : undefined;
    }, 15_000, 'the large file stored');
    assert.equal(m!.chunked, true);
    assert.equal(m!.size, bytes.length);
    const back: Buffer[] = [];
    for await (const c of hub.store.readMessageBody('acme', m!.id)) back.push(c);
    assert.ok(Buffer.concat(back).equals(bytes), 'the raw message is stored verbatim');
    assert.deepEqual(readdirSync(spool), [], 'the spool file is deleted once stored');
    await waitFor(async () => (await hub.store.getMessage('acme', m!.id))?.status === 'processed', 30_000, 'the file processed');
    await stopHub(hub);
  });

  it('uploads atomically: a poller on the server never sees a partial file, and a redelivery replaces it', async () => {
    const outbox = remote('atomic');
    const settings = parseConfig(`endpoints: { wms-in: { type: sftp, ${login()}, remoteOutbox: ${outbox}, fileExtension: .json } }`, dir).endpointSettings['wms-in'] as SftpConfig;
    const sink = (await sftpEndpoint.createSink!(settings, { name: 'wms-in', tenant: 'acme', logger: silent, store: undefined as never, baseDir: dir })) as SinkRuntime;
    const big = (tag: string) => Buffer.from(JSON.stringify({ tag, lines: Array.from({ length: 40_000 }, (_, i) => ({ sku: `SKU-${i}`, quantity: String(i) })) }));
    const message = (payload: Buffer, deliveryId: number): OutboundMessage => ({
      deliveryId, tenant: 'acme', endpoint: 'wms-in', documentType: 'sales_order', documentId: 'd-1', entityKey: 'order:SO-1',
      idempotencyKey: 'acme:so-1:v1', contentType: 'application/json', payload, attempt: 1,
    });
    // ":" is no file name character: the key is made safe and carries a hash of itself.
    const fileName = deliveryFileName({ documentType: 'sales_order', idempotencyKey: 'acme:so-1:v1' }, '.json');
    assert.match(fileName, /^sales_order-acme_so-1_v1~[0-9a-f]{16}\.json$/);
    // The partner's poller: reads every finished file it can see while uploads run.
    let polling = true;
    const seen: string[] = [];
    const poller = (async () => {
      while (polling) {
        for (const name of readdirSync(outbox).filter((n) => !n.endsWith('.part'))) {
          let text: string;
          try {
            text = readFileSync(join(outbox, name), 'utf8');
          } catch {
            continue; // replaced between listing and reading
          }
          seen.push(JSON.parse(text).tag); // throws on a partial file
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      const first = await sink.deliver(message(big('first'), 1), new AbortController().signal);
      assert.equal(first.kind, 'delivered');
      const second = await sink.deliver(message(big('second'), 2), new AbortController().signal);
      assert.deepEqual(second, { kind: 'delivered', partnerRef: join(outbox, fileName) });
    } finally {
      polling = false;
      await poller;
      await sink.close?.();
    }
    assert.deepEqual(readdirSync(outbox), [fileName]);
    assert.equal(JSON.parse(readFileSync(join(outbox, fileName), 'utf8')).tag, 'second');
    assert.ok(seen.includes('first') || seen.includes('second'), 'the poller saw the file');
  });

  it('dead-letters a delivery to a server whose key differs from the configured fingerprint', async () => {
    const outbox = remote('wrong-key');
    const orders = join(dir, 'wrong-key-orders');
    mkdirSync(orders);
    const hub = await startHub(`
store: sqlite:${join(dir, 'wrong-key.db')}
defaultTenant: acme
endpoints:
  erp-out: { type: folder, inbox: ${orders}, minAgeMs: 0 }
  wms-in: { type: sftp, ${login({ hostKey: 'SHA256:' + 'A'.repeat(43) })}, remoteOutbox: ${outbox} }
flows:
  - { name: orders-to-wms, from: [erp-out], types: [sales_order], to: wms-in }
`);
    writeFileSync(join(orders, 'so-1.json'), JSON.stringify(salesOrder('SO-1')));
    const dead = await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'wms-in', status: 'dead' }))[0], 10_000, 'dead letter');
    assert.equal(dead.attempts, 1);
    assert.ok(dead.lastError?.startsWith(`connecting to SFTP server 127.0.0.1:${sshd.port}: host key mismatch: the server offered ${sshd.hostKeyFingerprint}, the config expects SHA256:AAAA`), dead.lastError ?? '');
    assert.deepEqual(readdirSync(outbox), []);
    await stopHub(hub);
  });

  it('dead-letters a delivery the server refuses to log in', async () => {
    const outbox = remote('bad-login');
    const orders = join(dir, 'bad-login-orders');
    mkdirSync(orders);
    const hub = await startHub(`
store: sqlite:${join(dir, 'bad-login.db')}
defaultTenant: acme
endpoints:
  erp-out: { type: folder, inbox: ${orders}, minAgeMs: 0 }
  wms-in: { type: sftp, ${login({ privateKeyPath: undefined, password: 'not-accepted' })}, remoteOutbox: ${outbox} }
flows:
  - { name: orders-to-wms, from: [erp-out], types: [sales_order], to: wms-in }
`);
    writeFileSync(join(orders, 'so-1.json'), JSON.stringify(salesOrder('SO-1')));
    const dead = await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'wms-in', status: 'dead' }))[0], 10_000, 'dead letter');
    assert.equal(dead.attempts, 1);
    assert.match(dead.lastError ?? '', /authentication refused/);
    assert.doesNotMatch(dead.lastError ?? '', /not-accepted/);
    await stopHub(hub);
  });

  it('survives a connection lost while a remote file is being closed: the failure never escapes the process', async () => {
    const folder = remote('lost-on-close');
    writeFileSync(join(folder, 'so.json'), JSON.stringify(salesOrder('SO-CLOSE')));
    const client = new SftpClient('lost-on-close');
    await client.connect({ host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
    const escaped: unknown[] = [];
    const onEscape = (e: unknown): void => { escaped.push(e); };
    process.prependListener('uncaughtException', onEscape);
    try {
      const stream = openRemoteFile(client, join(folder, 'so.json'));
      for await (const _ of stream as AsyncIterable<Buffer>);
      // Read to the end, the stream has asked the server to close the handle: the transport goes away first.
      (client as unknown as { client: { _sock: Socket } }).client._sock.destroy();
      // ssh2 marks the stream closed once the close request is answered or fails with the connection.
      await waitFor(() => (stream as unknown as { isClosed?: boolean }).isClosed === true, 5_000, 'the handle closed');
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(escaped, []);
    } finally {
      process.removeListener('uncaughtException', onEscape);
      await client.end().catch(() => undefined);
    }
  });

  it('retries deliveries while sshd is down and delivers once it is back', async () => {
    const outbox = remote('outage');
    const orders = join(dir, 'outage-orders');
    mkdirSync(orders);
    const hub = await startHub(`
store: sqlite:${join(dir, 'outage.db')}
defaultTenant: acme
retry: { maxAttempts: 50, initialDelayMs: 50, maxDelayMs: 200 }
circuitBreaker: { failureThreshold: 100, cooldownMs: 100 }
endpoints:
  erp-out: { type: folder, inbox: ${orders}, minAgeMs: 0 }
  wms-in: { type: sftp, ${login({ connectTimeoutMs: 2000 })}, remoteOutbox: ${outbox} }
flows:
  - { name: orders-to-wms, from: [erp-out], types: [sales_order], to: wms-in }
`);
    writeFileSync(join(orders, 'so-1.json'), JSON.stringify(salesOrder('SO-1')));
    await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'wms-in', status: 'delivered' }))[0], 10_000, 'first delivery');
    // The kept connection breaks with the server; the next delivery must notice, retry and reconnect.
    await sshd.stop();
    try {
      writeFileSync(join(orders, 'so-2.json'), JSON.stringify(salesOrder('SO-2')));
      await waitFor(async () => {
        const [d] = await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'wms-in', entityKey: 'order:SO-2' });
        return d && d.attempts >= 3 ? d : undefined;
      }, 15_000, 'failed attempts');
    } finally {
      await sshd.start();
    }
    const [delivered] = await waitFor(async () => {
      const d = await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'wms-in', entityKey: 'order:SO-2', status: 'delivered' });
      return d.length ? d : undefined;
    }, 15_000, 'delivery after sshd is back');
    const messageId = (await hub.store.listMessages({ tenant: 'acme', endpoint: 'erp-out' })).find((m) => m.partnerRef === 'so-2.json')!.id;
    const attempts = (await hub.store.lineage('acme', messageId))!.deliveries[0].attemptLog;
    assert.ok(attempts.length >= 4);
    assert.deepEqual(attempts.slice(0, -1).map((a) => a.outcome), attempts.slice(0, -1).map(() => 'retryable'));
    // Refused at connect (the lost connection was noticed first) or lost under the upload.
    assert.match(attempts[0].error ?? '', /^(connecting to SFTP server 127\.0\.0\.1:\d+: connect ECONNREFUSED|uploading \S+ on 127\.0\.0\.1:\d+: )/);
    assert.match(attempts.at(-2)!.error ?? '', /^connecting to SFTP server 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    assert.equal(attempts.at(-1)!.outcome, 'delivered');
    assert.equal(JSON.parse(readFileSync(delivered.partnerRef!, 'utf8')).orderNumber, 'SO-2');
    assert.equal(readdirSync(outbox).length, 2);
    assert.ok(!readdirSync(outbox).some((n) => n.endsWith('.part')));
    await stopHub(hub);
  });
});
