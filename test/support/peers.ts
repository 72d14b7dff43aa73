/**
 * Whether a real peer the tests need (PostgreSQL, NATS, OpenSSH, Tryton, Chromium) must be there. On a
 * developer's machine a missing peer skips its tests with the reason; with CAUSEWAY_REQUIRE_<PEER>=1
 * or in CI (CI set to anything) it fails them, so a run can never pass by silently skipping.
 */
export type Peer = 'POSTGRES' | 'NATS' | 'SSHD' | 'TRYTON' | 'CHROMIUM';

export const PEERS: readonly Peer[] = ['POSTGRES', 'NATS', 'SSHD', 'TRYTON', 'CHROMIUM'];

export function peerRequired(peer: Peer): boolean {
  return process.env[`CAUSEWAY_REQUIRE_${peer}`] === '1' || (process.env.CI ?? '') !== '';
}
