/**
 * `npm run bench`: every benchmark in one run, each printing its figures and, where a peer or a
 * raw limit exists, the ratio against it measured in the same run. `--only pipeline,claims,x12` picks;
 * `--only rules [--rounds N] [--orders N]` is the rules step's cost alone; `--quick` runs smaller
 * files (the large-file paths on 50 MB instead of 1 GB).
 */
import { runAtSizeBench } from './at-size.ts';
import { runClaimsBench } from './claims.ts';
import { runAuditBench, runReconcileBench } from './inventory.ts';
import { runConsoleBench } from './console.ts';
import { runEdifactBench } from './edifact.ts';
import { runFlatBench } from './flat.ts';
import { runLargeFilesBench } from './large-files.ts';
import { runNatsBench } from './nats.ts';
import { runPgMigrationBench } from './pg-migration.ts';
import { runPipelineBench } from './pipeline.ts';
import { runPostgresBench } from './postgres.ts';
import { runRoutingBench } from './routing.ts';
import { runRulesCostBench } from './rules-cost.ts';
import { runX12Bench } from './x12.ts';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined;
const want = (name: string) => !only || only.includes(name);
const started = Date.now();

console.log(`causeway benchmarks — node ${process.version}, ${new Date().toISOString()}`);
if (want('pipeline')) {
  console.log('\n== pipeline (SQLite, synchronous=FULL) ==');
  await runPipelineBench();
}
if (want('claims')) {
  console.log('\n== the SQLite store\'s claims (pending messages, due deliveries) against a bare lease update ==');
  await runClaimsBench();
}
if (want('rules')) {
  const at = (name: string) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined);
  console.log('\n== the rules step\'s cost: the field-map pipeline on SQLite with and without the rules, alternating fresh processes ==');
  await runRulesCostBench({ rounds: at('--rounds'), orders: at('--orders') });
}
if (want('x12')) {
  console.log('\n== X12 decode and encode ==');
  await runX12Bench({ sizesMb: process.argv.includes('--quick') ? [10] : [10, 100] });
}
if (want('edifact')) {
  console.log('\n== EDIFACT decode against the edifact and @makakwastaken/ts-edifact packages ==');
  await runEdifactBench({ sizesMb: process.argv.includes('--quick') ? [5] : [5, 20] });
}
if (want('csv')) {
  console.log('\n== CSV decode with a column map vs a bare csv-parse loop ==');
  await runFlatBench({ rows: process.argv.includes('--quick') ? 100_000 : 400_000 });
}
if (want('large-files')) {
  console.log('\n== large files on the product\'s paths (decode, x12 inspect, folder and SFTP under serve, replay) ==');
  await runLargeFilesBench({ mb: process.argv.includes('--quick') ? 50 : 1024 });
}
if (want('large-files-edifact')) {
  console.log('\n== large EDIFACT files on the product\'s paths (decode, folder and SFTP under serve, replay) ==');
  await runLargeFilesBench({ mb: process.argv.includes('--quick') ? 50 : 1024, format: 'edifact' });
}
if (want('postgres')) {
  console.log('\n== pipeline on PostgreSQL, 1, 2 and 4 workers ==');
  await runPostgresBench();
}
if (want('pg-migration')) {
  const at = process.argv.indexOf('--messages');
  console.log('\n== PostgreSQL migration 26 (monthly partitions) on a database with data in it ==');
  await runPgMigrationBench({ messages: at > 0 ? Number(process.argv[at + 1]) : undefined });
}
if (want('nats')) {
  console.log('\n== NATS JetStream through Causeway vs the bare client ==');
  await runNatsBench();
}
if (want('inventory')) {
  console.log('\n== inventory: reconcile 100,000 positions on SQLite, audit 50,000 items per side ==');
  await runReconcileBench();
  await runAuditBench();
}
if (want('console')) {
  const at = process.argv.indexOf('--messages');
  console.log('\n== console pages over a store of 1,000,000 messages (SQLite) ==');
  await runConsoleBench({ messages: at > 0 ? Number(process.argv[at + 1]) : undefined });
}
if (want('routing')) {
  console.log('\n== routing: 10,000 orders across 10 facilities and 50,000 SKUs ==');
  await runRoutingBench();
}
if (want('at-size')) {
  const at = process.argv.indexOf('--messages');
  console.log('\n== flat at size: an empty store against one of 5,000,000 messages (SQLite) ==');
  await runAtSizeBench({ messages: at > 0 ? Number(process.argv[at + 1]) : undefined });
}
console.log(`\nall benchmarks: ${Math.round((Date.now() - started) / 1000)} s`);
