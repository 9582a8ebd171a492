import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from './config/env.schema';
import { prepareDatabase } from './database/prepare-database';
import { resolveDatabase } from './database/resolve-database';
import { typeormOptions } from './database/typeorm-options';
import { seedDemo } from './events/demo-seed';

/**
 * `migration:run | migration:revert | migration:generate <Name> | seed`, against DATABASE_URL or
 * the embedded database, with the same validated configuration as the app.
 */
async function main(command: string | undefined, name: string | undefined): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase(config);
  const dataSource = await new DataSource(typeormOptions(database.url, { poolSize: 2 })).initialize();
  try {
    switch (command) {
      case 'migration:run': {
        const applied = await dataSource.runMigrations({ transaction: 'all' });
        console.log(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'No pending migrations');
        break;
      }
      case 'migration:revert':
        await dataSource.undoLastMigration({ transaction: 'all' });
        console.log('Reverted the last migration');
        break;
      case 'migration:generate': {
        if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error('Usage: npm run migration:generate -- <PascalCaseName>');
        // TypeORM's own diff: the entities declare every index and check, so nothing is filtered.
        const sql = await dataSource.driver.createSchemaBuilder().log();
        if (sql.upQueries.length === 0) {
          console.log('The entities match the schema: nothing to generate');
          break;
        }
        const stamp = Date.now();
        const lines = (qs: { query: string; parameters?: unknown[] }[]) =>
          qs
            .map((q) => `    await q.query(${JSON.stringify(q.query)}${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`)
            .join('\n');
        const file = join(process.cwd(), 'migrations', `${stamp}-${name}.ts`);
        writeFileSync(
          file,
          `import { MigrationInterface, QueryRunner } from 'typeorm';\n\n` +
            `// Generated from the entities: review every statement (indexes, data) before committing.\n` +
            `export class ${name}${stamp} implements MigrationInterface {\n  name = '${name}${stamp}';\n\n` +
            `  async up(q: QueryRunner): Promise<void> {\n${lines(sql.upQueries)}\n  }\n\n` +
            `  async down(q: QueryRunner): Promise<void> {\n${lines([...sql.downQueries].reverse())}\n  }\n}\n`,
        );
        console.log(`Wrote ${file}`);
        break;
      }
      case 'seed': {
        const loaded = await prepareDatabase(database.url, (db) => seedDemo(db));
        console.log(loaded ? 'Loaded the demo events' : 'There are events already: nothing loaded');
        break;
      }
      default:
        throw new Error('Usage: cli.js migration:run | migration:revert | migration:generate <Name> | seed');
    }
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
