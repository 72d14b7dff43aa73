// Real peers the tests need cannot be skipped silently where they are required (CI).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PEERS, peerRequired } from './peers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Asks a helper in a fresh process whether its peer is usable; `env` replaces the CI variables. */
function availability(helper: string, check: string, env: Record<string, string>): { status: number | null; out: string } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && !k.startsWith('CAUSEWAY_REQUIRE_')));
  const script = `const m = await import(${JSON.stringify(new URL(helper, import.meta.url).href)}); console.log('reason: ' + await m.${check}());`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...base, ...env } });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('real peers in CI', () => {
  it('CI requires every peer a test helper can skip', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    const exported = ci.split('\n').filter((l) => /^\s*export\s/.test(l)).join(' ');
    for (const peer of PEERS) assert.match(exported, new RegExp(`\\bCAUSEWAY_REQUIRE_${peer}=1\\b`), `.ci/run sets CAUSEWAY_REQUIRE_${peer}=1`);
  });

  it('a peer is required by its own variable or by CI, not otherwise', () => {
    const saved = { ...process.env };
    try {
      for (const peer of PEERS) {
        for (const k of Object.keys(process.env)) if (k === 'CI' || k.startsWith('CAUSEWAY_REQUIRE_')) delete process.env[k];
        assert.equal(peerRequired(peer), false, peer);
        process.env[`CAUSEWAY_REQUIRE_${peer}`] = '1';
        assert.equal(peerRequired(peer), true, peer);
        delete process.env[`CAUSEWAY_REQUIRE_${peer}`];
        process.env.CI = 'true';
        assert.equal(peerRequired(peer), true, peer);
      }
    } finally {
      process.env = saved;
    }
  });

  for (const [peer, helper, check, url] of [
    ['NATS', './nats.ts', 'natsUnavailable', { CAUSEWAY_TEST_NATS_URL: 'nats://127.0.0.1:1' }],
    ['POSTGRES', './postgres.ts', 'postgresUnavailable', { CAUSEWAY_TEST_PG_URL: 'postgres://postgres@127.0.0.1:1/postgres' }],
  ] as const) {
    it(`an unreachable ${peer} skips with the reason, and fails where it is required`, () => {
      const skipped = availability(helper, check, url);
      assert.equal(skipped.status, 0, skipped.out);
      assert.match(skipped.out, /reason: .*not reachable at .*127\.0\.0\.1:1/);
      const ways: Array<Record<string, string>> = [{ [`CAUSEWAY_REQUIRE_${peer}`]: '1' }, { CI: 'true' }];
      for (const required of ways) {
        const failed = availability(helper, check, { ...url, ...required });
        assert.notEqual(failed.status, 0, `${JSON.stringify(required)}: ${failed.out}`);
        assert.match(failed.out, /not reachable at .*127\.0\.0\.1:1/);
        assert.doesNotMatch(failed.out, /^reason: /m);
      }
    });
  }
});
