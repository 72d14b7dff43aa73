import { z } from 'zod';
import { defineEndpoint } from '../contract.ts';

/**
 * An inbound HTTP endpoint: partners POST raw payloads to /v1/endpoints/<name>/messages (or
 * canonical documents to /v1/documents). The API server is the listener; this spec names the
 * endpoint, its tenant and codec, and an optional signing secret the sender must use; inbound.ts
 * decides whether a push is taken and under which key.
 */
const config = z.object({
  secret: z.string().min(16).optional().meta({ description: 'When set, requests must carry a valid Standard Webhooks signature made with it; use ${ENV} so it never sits in the file' }),
  toleranceSeconds: z.number().int().min(1).max(3600).default(300).meta({
    description: 'How far webhook-timestamp may be from now on a signed request; the same signed request seen again within it is refused as a replay',
  }),
}).strict();

export type HttpEndpointConfig = z.infer<typeof config>;

export const httpEndpoint = defineEndpoint({
  type: 'http',
  description: 'Receives messages pushed to the HTTP API (POST /v1/endpoints/{name}/messages), optionally signed by the sender.',
  config,
  // The API server receives what partners push and hands it to the inbox: no source to run here.
  produces: 'codec',
  accepts: [],
});
