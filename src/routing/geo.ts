import { createRequire } from 'node:module';
import type { Address } from '../model/index.ts';

/** A point on the earth, in degrees. */
export interface LatLon { lat: number; lon: number }

const require = createRequire(import.meta.url);

interface Zipcodes { lookup(code: string): { latitude: number; longitude: number } | undefined }
let zipcodes: Zipcodes | undefined;

/**
 * The `zipcodes` package ships US ZIP and Canadian FSA centroids as data: no network lookup, ever. Its
 * tables take about 90 MB once loaded, so they are loaded on the first US or Canadian ship-to routed by
 * distance, never by a process that does not route (a hub reading a warehouse's files stays small).
 */
function zipcodeTable(): Zipcodes {
  return (zipcodes ??= require('zipcodes') as Zipcodes);
}

/**
 * Where a ship-to is, from its postal code only: US ZIP codes and Canadian forward sortation areas
 * from the bundled centroids, then the config's prefixes (`COUNTRY:PREFIX`, longest first) for every
 * other country. Undefined when neither knows it; routing then ranks by rules and stock alone.
 */
export function shipToCoordinates(to: Pick<Address, 'country' | 'postalCode'>, centroids: Record<string, LatLon>): LatLon | undefined {
  const postal = to.postalCode?.trim().toUpperCase().replace(/\s+/g, ' ');
  if (!postal) return undefined;
  const country = to.country ?? 'US';
  if (country === 'US' || country === 'CA') {
    const code = country === 'US' ? postal.slice(0, 5) : postal.slice(0, 3);
    const hit = zipcodeTable().lookup(code);
    if (hit && Number.isFinite(hit.latitude)) return { lat: hit.latitude, lon: hit.longitude };
  }
  const compact = postal.replace(/[\s-]/g, '');
  for (let n = compact.length; n > 0; n--) {
    const c = centroids[`${country}:${compact.slice(0, n)}`];
    if (c) return c;
  }
  return undefined;
}

/** Great-circle distance in kilometres (haversine): close enough to rank warehouses by. */
export function distanceKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}
