// Screenshots of the box, an event page and a manage page, from a running service:
//   npm start  (in another terminal), then  npm run screenshots [-- http://localhost:3000]
// Writes docs/box.png, docs/event.png and docs/manage.png. Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
const { createServer } = require('node:http');
const { join } = require('node:path');
const { chromium } = require('playwright-core');

const base = (process.argv[2] ?? 'http://localhost:3000').replace(/\/$/, '');
const out = join(__dirname, '..', 'docs');

/** A publisher's page on another origin, with the two lines from the README. */
function hostPage() {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TBJ</title></head>
<body style="font-family: Georgia, serif; max-width: 22rem; margin: 1rem">
<eventline-upcoming limit="3"></eventline-upcoming>
<script src="${base}/embed/upcoming.js"></script>
</body></html>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(html));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const sessions = await (await fetch(`${base}/sessions?limit=1`)).json();
  const session = sessions.data[0];
  if (!session) throw new Error(`${base} lists no sessions: start it with the demo data (npm start)`);
  const host = await hostPage();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 420, height: 640 }, deviceScaleFactor: 2 });
    await page.goto(`http://127.0.0.1:${host.address().port}/`);
    await page.locator('eventline-upcoming li').first().waitFor();
    await page.locator('eventline-upcoming').screenshot({ path: join(out, 'box.png') });

    await page.goto(`${base}/e/${session.event.slug}`);
    await page.screenshot({ path: join(out, 'event.png'), fullPage: true });

    await page.getByLabel('Name').first().fill('Ada Lovelace');
    await page.getByLabel('Email').first().fill(`ada+${Date.now()}@example.com`);
    await page.getByRole('button', { name: /Register|Join the waitlist/ }).first().click();
    await page.waitForURL(/\/m\//);
    await page.screenshot({ path: join(out, 'manage.png'), fullPage: true });
    console.log(`Wrote box.png, event.png and manage.png in ${out}`);
  } finally {
    await browser.close();
    host.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
