import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../src/database/resolve-database';

/** An embedded PostgreSQL of a test's own, which the test can stop and start under load. */
export class RestartablePostgres {
  private readonly lines: string[] = [];
  private waiters: ((line: string) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly dataDir: string,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
  }

  static async start(): Promise<RestartablePostgres> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'eventline-fault-'));
    const child = spawn(process.execPath, [join(__dirname, 'embedded-pg-process.js'), dataDir, String(port)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const pg = new RestartablePostgres(child, `postgres://postgres:eventline@127.0.0.1:${port}/eventline`, dataDir);
    await pg.expect('ready');
    return pg;
  }

  async stop(): Promise<void> {
    this.child.stdin!.write('stop\n');
    await this.expect('stopped');
  }

  async restart(): Promise<void> {
    this.child.stdin!.write('start\n');
    await this.expect('started');
  }

  /** Stops PostgreSQL and deletes its data. */
  async exit(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.stdin!.write('exit\n');
      await new Promise((r) => this.child.once('exit', r));
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async expect(word: string): Promise<void> {
    const line = this.lines.shift() ?? (await new Promise<string>((r) => this.waiters.push(r)));
    if (line !== word) throw new Error(`embedded PostgreSQL: expected "${word}", got "${line}"`);
  }
}
