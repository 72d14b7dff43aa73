// What the EDI codecs (X12, EDIFACT) share around their envelopes: partner settings, duplicate
// screening, acknowledgments both ways and tracking of what we send.
export { deliverOurAcknowledgment, sentExchange, settleOurs, type AckProfile } from './acknowledgments.ts';
export { DEFAULT_DUPLICATE_WINDOW_MS, interchangeOf, screenRepeats, type RepeatRules, type Repeats, type ScreenedEnvelope } from './duplicates.ts';
export { documentToWrite } from './documents.ts';
export { ediSettings, type EdiSettings, type EdiSettingsReader } from './settings.ts';
