import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from '../../src/store/index.ts';
import { storeConformance } from './conformance/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'causeway-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeConformance('sqlite', async () => {
  const store = new SqliteStore({ path: join(dir, `store-${++n}.db`) });
  await store.migrate();
  return store;
});
