import type pg from 'pg';

/** The pool, or the client of an open transaction: what a facet's rows are read and written through. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;
