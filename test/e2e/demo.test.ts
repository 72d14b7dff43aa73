import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';

const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'causeway-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('runs the bundled demo end to end, twice in the same folder', { timeout: 120_000 }, () => {
  for (const run of [1, 2]) {
    const r = spawnSync(process.execPath, [BIN, 'demo', '--once', '--dir', dir, '--port', '0'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `run ${run}: ${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /2\. Warehouse received it, mapped to its own format/);
    assert.match(r.stdout, /4\. ERP webhook received it, signature checked/);
    assert.match(r.stdout, /5\. Lineage of message \d+: 1 document\(s\), 1 delivery\(ies\), 1 attempt\(s\), partner reference ERP-1/);
  }
  const mapped = readdirSync(join(dir, 'wms/inbox')).map((f) => JSON.parse(readFileSync(join(dir, 'wms/inbox', f), 'utf8')));
  assert.equal(mapped.length, 2);
  assert.equal(mapped[0].ship_method, 'UPS_GROUND');
  assert.equal(mapped[0].kind, 'ORDER');
  assert.deepEqual(mapped[0].lines.map((l: { unit: string }) => l.unit), ['EACH', 'CASE']);
  assert.equal(readdirSync(join(dir, 'erp/received')).length, 2);
});

it('serves the console when run from the sources in a folder outside the repository', { timeout: 120_000 }, async () => {
  // Without a build (an install without the compiler, or sources newer than dist/), the bin runs the
  // TypeScript through tsx; the console's pages must compile with the project's settings wherever it runs.
  const cwd = mkdtempSync(join(tmpdir(), 'causeway-elsewhere-'));
  const child = spawn(process.execPath, [BIN, 'demo', '--dir', join(cwd, 'demo'), '--port', '0'], { cwd, env: { ...process.env, CAUSEWAY_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const console = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /Console (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`the demo ended (${code}) before its console was up:\n${out}`)));
    });
    const page = await fetch(`${console}/login`);
    assert.equal(page.status, 200, out);
    assert.match(await page.text(), /<form/);
    assert.doesNotMatch(out, /"level":(40|50)/, 'no warning or error in the log');
  } finally {
    child.kill();
    await once(child, 'exit').catch(() => undefined);
    rmSync(cwd, { recursive: true, force: true });
  }
});
