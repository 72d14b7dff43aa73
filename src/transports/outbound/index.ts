export { classifyAddress, parseCidr, type AddressClass } from './address.ts';
export { DEFAULT_OUTBOUND_POLICY, OutboundGuard, OutboundRefused, outboundRefusal, type OutboundPolicy } from './guard.ts';
