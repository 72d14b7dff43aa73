import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { AllowedNetworks, classifyAddress, type AddressClass } from './address.ts';

/**
 * The outbound (SSRF) guard. A webhook URL or a connector's base URL comes from a config a
 * tenant's integrator writes, and a redirect or a DNS answer comes from the partner: neither may
 * make the hub open a connection to itself, the cloud's metadata service or the network behind it,
 * unless the config allows that endpoint (allowPrivateNetworks) or that network (outbound.allow).
 *
 * The check sits in the connector of an undici Agent: the address judged is the address the
 * socket connects to, after DNS, on every connection (a redirect, a keep-alive reconnect), so a
 * name that resolves to a public address when checked and a private one when used (DNS rebinding)
 * gains nothing.
 */
export interface OutboundPolicy {
  /** This endpoint may reach any address (a WMS on the LAN, a receiver on the same host). */
  allowPrivateNetworks: boolean;
  /** Networks any endpoint may reach though they are not public (CIDRs). */
  allow: readonly string[];
}

export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = { allowPrivateNetworks: false, allow: [] };

/** A connection the guard would not open: permanent, since the same address is refused every time. */
export class OutboundRefused extends Error {
  readonly code = 'OUTBOUND_REFUSED';

  constructor(readonly endpoint: string, readonly host: string, readonly address: string, readonly addressClass: AddressClass) {
    super(`endpoint "${endpoint}" may not connect to ${host}${host === address ? '' : ` (${address})`}: a ${addressClass} address. `
      + `Set allowPrivateNetworks: true on the endpoint, or list its network under outbound.allow, if this is meant`);
    this.name = 'OutboundRefused';
  }
}

/** The OutboundRefused behind an error a request failed with (fetch wraps it in a TypeError). */
export function outboundRefusal(error: unknown): OutboundRefused | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundRefused) return e;
  }
  return undefined;
}

export class OutboundGuard {
  private readonly allowed: AllowedNetworks;

  constructor(readonly endpoint: string, readonly policy: OutboundPolicy = DEFAULT_OUTBOUND_POLICY) {
    this.allowed = new AllowedNetworks(policy.allow);
  }

  /** Why this address may not be reached, or undefined when it may. */
  refusal(host: string, address: string): OutboundRefused | undefined {
    if (this.policy.allowPrivateNetworks) return undefined;
    const kind = classifyAddress(address);
    if (!kind || this.allowed.has(address)) return undefined;
    return new OutboundRefused(this.endpoint, host, address, kind);
  }

  /**
   * An undici Agent whose every connection passes the guard. `connect` takes undici's connector
   * options (timeout...). Use it as the dispatcher of undici's request or of fetch.
   */
  agent(options: ConstructorParameters<typeof Agent>[0] & { connect?: buildConnector.BuildOptions } = {}): Agent {
    const base = buildConnector({ ...options.connect, lookup: this.lookup() } as buildConnector.BuildOptions);
    const connect: buildConnector.connector = (opts, callback) => {
      // An IP literal is never looked up, so it is judged here.
      const host = opts.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host)) {
        const refused = this.refusal(host, host);
        if (refused) {
          callback(refused, null);
          return;
        }
      }
      base(opts, callback);
    };
    return new Agent({ ...options, connect });
  }

  /** dns.lookup, keeping only the addresses the guard lets through; none left is a refusal. */
  private lookup(): LookupFunction {
    return ((hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
      dnsLookup(hostname, { ...options, all: true } as { all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err);
        const usable = addresses.filter((a) => !this.refusal(hostname, a.address));
        if (usable.length === 0) return callback(this.refusal(hostname, addresses[0]!.address));
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      });
    }) as LookupFunction;
  }
}
