export { httpEndpoint, type HttpEndpointConfig } from './http.ts';
export { receivePush, readIdempotencyKey, SIGNATURE_TOLERANCE_S, type PushOutcome, type RecordSignedRequest, type PushStored, type PushTarget } from './inbound.ts';
