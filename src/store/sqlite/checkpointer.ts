import { Worker } from 'node:worker_threads';

/**
 * Moves SQLite's WAL checkpoints off the event loop. With the default auto-checkpoint the commit
 * that crosses 1,000 WAL pages copies them into the database and fsyncs it inline, stalling every
 * request for tens of milliseconds; here a worker thread with its own connection runs PASSIVE
 * checkpoints (they never block writers), so the main connection only ever appends to the log.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
let timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { /* busy: the next round catches up */ }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) {}
    db.close();
    parentPort.postMessage('stopped');
  }
});
`;

export class BackgroundCheckpointer {
  private readonly worker: Worker;

  constructor(path: string, driver: string, intervalMs = 1000) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } });
    this.worker.unref();
  }

  async stop(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('stop');
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}
