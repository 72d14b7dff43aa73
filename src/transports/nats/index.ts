export { natsEndpoint, subjectToken, type NatsConfig } from './nats.ts';
