/**
 * A warehouse's REST API as an endpoint (type `wms-rest`): one generic connector, one profile per
 * WMS (profiles/: Extensiv 3PL Warehouse Manager, ShipBob). docs/connectors/wms-rest.md.
 */
export { wmsRestEndpoint } from './endpoint.ts';
export { wmsRestSettings, profileOf, writtenTypes, type WmsRestSettings } from './settings.ts';
export { profileSchema, READ_TYPES, CHANGE_READS, type Profile, type ProfileInput, type ReadType, type ChangeReadType } from './profile.ts';
export { BUILT_IN_PROFILES, BUILT_IN_PROFILE_NAMES, builtInProfile, extensivProfile, shipbobProfile } from './profiles/index.ts';
export { RequestBudget, retryAfterMs } from './budget.ts';
export { checkSignature, signHmac } from './signature.ts';
export { afterPage, scanSince, scanDue, parseSourceCursor, type ChangeCursor, type SourceCursor } from './cursor.ts';
export { WmsError, isWmsError, type WmsErrorCode } from './errors.ts';
export { CANCELS_PURCHASE_ORDER } from './write.ts';
export { DEFAULT_BACKORDER_SUFFIX, parseWarehouseOrderReference, readBackOrderNumber, warehouseOrderReference, type OrderReferences } from './backorders.ts';
export { mergePositions, versionKey } from './read.ts';
export { linkOf, toDecimal, toIso, decimalSum } from './expressions.ts';
