import type { EndpointSpec } from './contract.ts';
import { folderEndpoint } from './folder/index.ts';
import { httpEndpoint } from './http/http.ts';
import { natsEndpoint } from './nats/index.ts';
import { sftpEndpoint } from './sftp/index.ts';
import { webhookEndpoint } from './webhook/index.ts';
import { trytonEndpoint } from '../connectors/tryton/endpoint.ts';

const specs = new Map<string, EndpointSpec>();

/** Transports and connectors register by their `type`; config validation and docs come from these specs. */
export function registerEndpoint(spec: EndpointSpec): void {
  specs.set(spec.type, spec);
}

export function getEndpointSpec(type: string): EndpointSpec | undefined {
  return specs.get(type);
}

export function endpointSpecs(): EndpointSpec[] {
  return [...specs.values()];
}

for (const spec of [folderEndpoint, webhookEndpoint, httpEndpoint, sftpEndpoint, natsEndpoint]) registerEndpoint(spec);
registerEndpoint(trytonEndpoint);
