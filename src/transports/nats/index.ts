export { natsEndpoint, subjectToken } from './nats.ts';
export type { NatsConfig } from './config.ts';
