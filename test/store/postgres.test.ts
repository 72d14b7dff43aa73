import { describe } from 'node:test';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres.ts';
import { storeConformance } from './conformance.ts';

const skip = await postgresUnavailable();

describe('postgres', { skip }, () => {
  storeConformance('postgres', () => openTestPostgresStore());
});
