import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { CausewayConfig } from '../../config/index.ts';
import { OutboundGuard, outboundRefusal } from '../../transports/outbound/index.ts';
import type { Alert } from '../../store/index.ts';

export type ChannelConfig = CausewayConfig['alerts']['channels'][number];

/** An alert being told: raised, or resolved. */
export interface Notice {
  alert: Alert;
  state: 'raised' | 'resolved';
}

export interface Channel {
  name: string;
  /** The tenant it is for; undefined: every tenant. */
  tenant?: string;
  send(notice: Notice): Promise<void>;
  close(): void;
}

const TIMEOUT_MS = 10_000;

export function headline(n: Notice): string {
  const mark = n.state === 'raised' ? 'ALERT' : 'RESOLVED';
  return `[${mark}] [${n.alert.tenant}] ${n.alert.kind}: ${n.alert.subject}`;
}

export function bodyText(n: Notice): string {
  const a = n.alert;
  return [
    `${headline(n)}`,
    '',
    a.message,
    '',
    `Raised: ${new Date(a.createdAt).toISOString()}`,
    ...(a.resolvedAt ? [`Resolved: ${new Date(a.resolvedAt).toISOString()}`] : []),
    ...(a.acknowledgedBy ? [`Acknowledged by: ${a.acknowledgedBy}`] : []),
    `Alert id: ${a.id}`,
  ].join('\n');
}

/** The signature a receiver checks: HMAC-SHA256 over "<unix seconds>.<body>", as Stripe and Slack do it. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function webhook(c: Extract<ChannelConfig, { type: 'webhook' }>, outbound: OutboundSettings): Channel {
  // The URL comes from the config like an endpoint's: the same guard decides where it may connect.
  const agent = new OutboundGuard(`alert channel ${c.name}`, { allowPrivateNetworks: c.allowPrivateNetworks, allow: outbound.allow })
    .agent({ headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, connect: { timeout: TIMEOUT_MS } });
  return {
    name: c.name, tenant: c.tenant,
    async send(n) {
      const a = n.alert;
      // Slack reads "text"; everything else is for receivers that want the alert itself.
      const body = JSON.stringify({
        text: `${headline(n)}\n${a.message}`, state: n.state,
        alert: { id: a.id, tenant: a.tenant, kind: a.kind, subject: a.subject, message: a.message, createdAt: new Date(a.createdAt).toISOString(), resolvedAt: a.resolvedAt ? new Date(a.resolvedAt).toISOString() : null, detail: a.detail ?? null },
      });
      const res = await request(c.url, {
        method: 'POST', body, dispatcher: agent, signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: { 'content-type': 'application/json', 'x-causeway-signature': webhookSignature(c.secret, Math.floor(Date.now() / 1000), body) },
      }).catch((err: unknown) => {
        throw outboundRefusal(err) ?? err;
      });
      await res.body.dump().catch(() => undefined);
      if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`webhook ${c.name} answered HTTP ${res.statusCode}`);
    },
    close() {
      void agent.close();
    },
  };
}

function email(c: Extract<ChannelConfig, { type: 'email' }>): Channel {
  const transport = nodemailer.createTransport({
    host: c.host, port: c.port, secure: c.secure, requireTLS: c.requireTLS, auth: c.auth, tls: { rejectUnauthorized: c.rejectUnauthorized },
    connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS,
  });
  return {
    name: c.name, tenant: c.tenant,
    async send(n) {
      await transport.sendMail({ from: c.from, to: c.to, subject: headline(n), text: bodyText(n) });
    },
    close: () => transport.close(),
  };
}

/** Where outbound requests may go beyond public addresses (the config's outbound section). */
export type OutboundSettings = CausewayConfig['outbound'];

export function openChannel(c: ChannelConfig, outbound: OutboundSettings): Channel {
  return c.type === 'webhook' ? webhook(c, outbound) : email(c);
}
