// Order routing across facilities: rules, stock, distance and the split policy (docs/routing.md).
export * from './route.ts';
export * from './reroute.ts';
export * from './keep.ts';
export * from './geo.ts';
export * from './cutoff.ts';
