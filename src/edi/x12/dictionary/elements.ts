// The data elements of the segments Causeway reads and writes, by X12 element reference number: type,
// minimum and maximum length, and a name for messages. Facts of the published 004010 standard; where
// 005010 differs (longer names and references, new elements) the difference is listed below.
// Types: AN string, ID code, DT date, TM time, R decimal, N0-N9 implied-decimal numeric.

export type ElementType = 'AN' | 'ID' | 'DT' | 'TM' | 'R' | 'N0' | 'N1' | 'N2' | 'N3' | 'N4' | 'N5' | 'N6' | 'N7' | 'N8' | 'N9';

export interface ElementDef {
  name: string;
  type: ElementType;
  min: number;
  max: number;
}

type Row = readonly [name: string, type: ElementType, min: number, max: number];

/** 004010 element dictionary (reference number -> name, type, min/max). */
const ROWS_004010: Readonly<Record<string, Row>> = {
  '2': ['number of accepted transaction sets', 'N0', 1, 6],
  '28': ['group control number', 'N0', 1, 9],
  '19': ['city name', 'AN', 2, 30],
  '26': ['country code', 'ID', 2, 3],
  '61': ['free-form message', 'AN', 1, 30],
  '66': ['identification code qualifier', 'ID', 1, 2],
  '67': ['identification code', 'AN', 2, 80],
  '80': ['lading quantity', 'N0', 1, 7],
  '81': ['weight', 'R', 1, 10],
  '82': ['length', 'R', 1, 8],
  '65': ['height', 'R', 1, 8],
  '87': ['marks and numbers', 'AN', 1, 48],
  '88': ['marks and numbers qualifier', 'ID', 1, 2],
  '91': ['transportation method/type code', 'ID', 1, 2],
  '92': ['purchase order type code', 'ID', 2, 2],
  '93': ['name', 'AN', 1, 35],
  '97': ['number of transaction sets included', 'N0', 1, 6],
  '98': ['entity identifier code', 'ID', 2, 3],
  '100': ['currency code', 'ID', 3, 3],
  '103': ['packaging code', 'AN', 3, 5],
  '116': ['postal code', 'ID', 3, 15],
  '123': ['number of received transaction sets', 'N0', 1, 6],
  '127': ['reference identification', 'AN', 1, 30],
  '128': ['reference identification qualifier', 'ID', 2, 3],
  '133': ['routing sequence code', 'ID', 1, 2],
  '140': ['standard carrier alpha code', 'ID', 2, 4],
  '143': ['transaction set identifier code', 'ID', 3, 3],
  '145': ['shipment identification number', 'AN', 1, 30],
  '146': ['shipment method of payment', 'ID', 2, 2],
  '152': ['special handling code', 'ID', 2, 3],
  '156': ['state or province code', 'ID', 2, 2],
  '166': ['address information', 'AN', 1, 55],
  '176': ['time qualifier', 'ID', 1, 2],
  '183': ['volume', 'R', 1, 8],
  '187': ['weight qualifier', 'ID', 1, 2],
  '188': ['weight unit code', 'ID', 1, 1],
  '189': ['width', 'R', 1, 8],
  '212': ['unit price', 'R', 1, 17],
  '234': ['product/service id', 'AN', 1, 48],
  '235': ['product/service id qualifier', 'ID', 2, 2],
  '285': ['depositor order number', 'AN', 1, 22],
  '306': ['action code', 'ID', 1, 2],
  '309': ['location qualifier', 'ID', 1, 2],
  '310': ['location identifier', 'AN', 1, 30],
  '324': ['purchase order number', 'AN', 1, 22],
  '327': ['change order sequence number', 'AN', 1, 8],
  '328': ['release number', 'AN', 1, 30],
  '329': ['transaction set control number', 'AN', 4, 9],
  '330': ['quantity ordered', 'R', 1, 15],
  '337': ['time', 'TM', 4, 8],
  '347': ['hash total', 'R', 1, 10],
  '350': ['assigned identification', 'AN', 1, 20],
  '352': ['description', 'AN', 1, 80],
  '353': ['transaction set purpose code', 'ID', 2, 2],
  '354': ['number of line items', 'N0', 1, 6],
  '355': ['unit or basis for measurement code', 'ID', 2, 2],
  '356': ['pack', 'N0', 1, 6],
  '357': ['size', 'R', 1, 8],
  '363': ['note reference code', 'ID', 3, 3],
  '364': ['communication number', 'AN', 1, 80],
  '365': ['communication number qualifier', 'ID', 2, 2],
  '366': ['contact function code', 'ID', 2, 2],
  '367': ['contract number', 'AN', 1, 30],
  '368': ['shipment/order status code', 'ID', 2, 2],
  '369': ['free-form description', 'AN', 1, 45],
  '373': ['date', 'DT', 8, 8],
  '374': ['date/time qualifier', 'ID', 3, 3],
  '380': ['quantity', 'R', 1, 15],
  '382': ['number of units shipped', 'R', 1, 10],
  '383': ['quantity difference', 'R', 1, 9],
  '384': ['gross weight per pack', 'R', 1, 9],
  '385': ['gross volume per pack', 'R', 1, 9],
  '387': ['routing', 'AN', 1, 35],
  '396': ['shipment identification', 'AN', 2, 30],
  '432': ['date qualifier', 'ID', 2, 2],
  '438': ['U.P.C. case code', 'AN', 12, 12],
  '443': ['contact inquiry reference', 'AN', 1, 20],
  '447': ['loop identifier code', 'AN', 1, 6],
  '461': ['warehouse lot number', 'AN', 1, 12],
  '472': ['link sequence number', 'N0', 6, 6],
  '473': ['order status code', 'ID', 1, 1],
  '474': ['master reference (link) number', 'AN', 1, 22],
  '478': ['credit/debit flag code', 'ID', 1, 1],
  '479': ['functional identifier code', 'ID', 2, 2],
  '514': ['reporting code', 'ID', 1, 1],
  '522': ['amount qualifier code', 'ID', 1, 3],
  '531': ['agent shipment id number', 'AN', 1, 12],
  '554': ['assigned number', 'N0', 1, 6],
  '587': ['acknowledgment type', 'ID', 2, 2],
  '623': ['time code', 'ID', 2, 2],
  '628': ['hierarchical id number', 'AN', 1, 12],
  '639': ['basis of unit price code', 'ID', 2, 2],
  '640': ['transaction type code', 'ID', 2, 2],
  '641': ['status reason code', 'ID', 3, 3],
  '646': ['quantity shipped to date', 'R', 1, 15],
  '668': ['line item status code', 'ID', 2, 2],
  '673': ['quantity qualifier', 'ID', 2, 2],
  '706': ['entity relationship code', 'ID', 2, 2],
  '715': ['functional group acknowledge code', 'ID', 1, 1],
  '716': ['functional group syntax error code', 'ID', 1, 3],
  '717': ['transaction set acknowledgment code', 'ID', 1, 1],
  '718': ['transaction set syntax error code', 'ID', 1, 3],
  '719': ['segment position in transaction set', 'N0', 1, 6],
  '720': ['segment syntax error code', 'ID', 1, 3],
  '721': ['segment id code', 'ID', 2, 3],
  '722': ['element position in segment', 'N0', 1, 2],
  '723': ['data element syntax error code', 'ID', 1, 3],
  '724': ['copy of bad data element', 'AN', 1, 99],
  '725': ['data element reference number', 'N0', 1, 4],
  '728': ['returnable container load make-up code', 'ID', 1, 2],
  '734': ['hierarchical parent id number', 'AN', 1, 12],
  '735': ['hierarchical level code', 'ID', 1, 2],
  '736': ['hierarchical child code', 'ID', 1, 1],
  '755': ['report type code', 'ID', 2, 2],
  '782': ['monetary amount', 'R', 1, 18],
  '1005': ['hierarchical structure code', 'ID', 4, 4],
  '1250': ['date time period format qualifier', 'ID', 2, 3],
  '1251': ['date time period', 'AN', 1, 35],
  '1528': ['component data element position in composite', 'N0', 1, 2],
};

/** What 005010 changes: longer names, references and numbers; elements added in later releases. */
const ROWS_005010: Readonly<Record<string, Row>> = {
  '93': ['name', 'AN', 1, 60],
  '127': ['reference identification', 'AN', 1, 50],
  '364': ['communication number', 'AN', 1, 256],
  '480': ['version / release / industry identifier code', 'AN', 1, 12],
  '1686': ['repeating data element position', 'N0', 1, 4],
  '1705': ['implementation convention reference', 'AN', 1, 35],
  '1715': ['country subdivision code', 'ID', 1, 3],
};

export type Version = '004010' | '005010';

function table(rows: Readonly<Record<string, Row>>): Map<string, ElementDef> {
  const out = new Map<string, ElementDef>();
  for (const [ref, [name, type, min, max]] of Object.entries(rows)) out.set(ref, { name, type, min, max });
  return out;
}

const BASE = table(ROWS_004010);

export const ELEMENTS: Readonly<Record<Version, ReadonlyMap<string, ElementDef>>> = {
  '004010': BASE,
  '005010': new Map([...BASE, ...table(ROWS_005010)]),
};
