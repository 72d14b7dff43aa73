import { z } from 'zod';
import { defineEndpoint } from '../contract.ts';

/**
 * An inbound HTTP endpoint: partners POST raw payloads to /v1/endpoints/<name>/messages (or
 * canonical documents to /v1/documents). The API server is the listener; this spec names the
 * endpoint, its tenant and codec, and an optional signing secret the sender must use; inbound.ts
 * decides whether a push is taken and under which key.
 */
const config = z.object({
  secret: z.string().min(16).optional().meta({ description: 'When set, requests must carry a valid Standard Webhooks signature made with it' }),
}).strict();

export const httpEndpoint = defineEndpoint({
  type: 'http',
  description: 'Receives messages pushed to the HTTP API (POST /v1/endpoints/{name}/messages), optionally signed by the sender.',
  config,
  defaultCodec: 'json',
  // The API server receives what partners push and hands it to the inbox: no source to run here.
  produces: 'codec',
  accepts: [],
});
