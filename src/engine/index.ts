export { Hub, createLogger, storeUrl, type HubOptions } from './hub.ts';
export { Inbox, contentHash } from './inbox.ts';
export { MessageProcessor, decodeMessage, type DecodedMessage, type EndpointInfo, type MessageToDecode } from './processor.ts';
export { DeliveryWorker } from './outbox.ts';
export { computeKpis, percentiles, type Kpis } from './kpis.ts';
export { compileMappings, compileFieldMap, compileJsonata } from './mapping/index.ts';
export { retryDelayMs } from './retry.ts';
export { CircuitBreaker } from './circuit-breaker.ts';
export { GroupCommitter } from './group-commit.ts';
