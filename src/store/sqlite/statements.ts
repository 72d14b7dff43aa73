import type Database from 'better-sqlite3';

/** The prepared statements of one connection: each SQL text is prepared once and reused. */
export class Statements {
  private readonly prepared = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  q(sql: string): Database.Statement {
    let s = this.prepared.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.prepared.set(sql, s);
    }
    return s;
  }

  clear(): void {
    this.prepared.clear();
  }
}
