// Polls a folder inbox once and prints what came in and the alerts raised, as JSON: run as another
// user by a test that needs a file its process cannot read (root reads every file).
import pino from 'pino';
import { openStore } from '../../src/store/index.ts';
import { folderEndpoint } from '../../src/transports/folder/index.ts';

const [inbox] = process.argv.slice(2);
const store = await openStore('sqlite::memory:');
const source = await folderEndpoint.createSource!({ inbox: inbox!, minAgeMs: 0, maxFileBytes: 1e9, extensions: [], batchSize: 200, fileExtension: '.json' },
  { name: 'erp-files', tenant: 'acme', logger: pino({ level: 'silent' }), store, baseDir: inbox! });
const polled = await source.poll!(null, new AbortController().signal);
console.log(JSON.stringify({ taken: polled.messages.map((m) => m.partnerRef), alerts: (await store.listAlerts('acme', {})).map((a) => a.message) }));
await store.close();
