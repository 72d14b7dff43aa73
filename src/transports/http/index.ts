export { httpEndpoint } from './http.ts';
export { receivePush, readIdempotencyKey, SIGNATURE_TOLERANCE_S, type PushOutcome, type PushStored, type PushTarget } from './inbound.ts';
