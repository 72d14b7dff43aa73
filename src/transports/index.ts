export type * from './contract.ts';
export { defineEndpoint, declaredTypes, defaultCodecOf, isSource, isTarget, INBOUND_FILE_BYTES, MAX_IDEMPOTENCY_KEY } from './contract.ts';
export { folderEndpoint, writeAtomically } from './folder/index.ts';
export { webhookEndpoint, signWebhook, verifyWebhook } from './webhook/index.ts';
export { httpEndpoint, receivePush, readIdempotencyKey, SIGNATURE_TOLERANCE_S, type PushOutcome, type RecordSignedRequest, type PushStored, type PushTarget } from './http/index.ts';
export { encodeHeaderValues, UnencodableHeaderValue, type EncodedHeaders } from './header-values.ts';
export { cannotBeFormed } from './unformable.ts';
export { ClassifiedError } from './classified-error.ts';
export { classifyAddress, DEFAULT_OUTBOUND_POLICY, OutboundGuard, OutboundRefused, outboundRefusal, parseCidr, type AddressClass, type OutboundPolicy } from './outbound/index.ts';
