import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedDatabase, startEmbeddedDatabase } from '../../src/database/embedded-database';
import { freePort } from '../../src/database/resolve-database';

/** An embedded PostgreSQL of a test's own, which the test can stop and start under load. */
export class RestartablePostgres {
  private constructor(
    private database: EmbeddedDatabase,
    readonly url: string,
    private readonly dataDir: string,
    private readonly port: number,
  ) {}

  static async start(): Promise<RestartablePostgres> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-fault-'));
    const database = await startEmbeddedDatabase(RestartablePostgres.options(dataDir, port));
    return new RestartablePostgres(database, database.url, dataDir, port);
  }

  private static options(dataDir: string, port: number) {
    return { dataDir, port, postgresFlags: ['-c', 'fsync=off'] };
  }

  async stop(): Promise<void> {
    await this.database.stop();
  }

  /** The same cluster, port and password again. */
  async restart(): Promise<void> {
    this.database = await startEmbeddedDatabase(RestartablePostgres.options(this.dataDir, this.port));
  }

  /** Stops PostgreSQL and deletes its data. */
  async exit(): Promise<void> {
    await this.database.stop();
    rmSync(this.database.clusterDir, { recursive: true, force: true });
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
