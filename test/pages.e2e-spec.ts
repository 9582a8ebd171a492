import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Database } from '../src/database/database';
import { seedDemo } from '../src/events/demo-seed';
import { browserAvailable, launchBrowser, serveHostPage } from './support/browser';
import { createTestApp, TestApp } from './support/test-app';

const describeInBrowser = browserAvailable ? describe : describe.skip;
if (!browserAvailable) console.warn('Skipping the browser specs: no Chromium (apt-get install chromium).');

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const DEMO_DAYS = ['Aug 01', 'Aug 22', 'Aug 29'];

let t: TestApp;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!browserAvailable) return;
  t = await createTestApp();
  await seedDemo(t.app.get(Database));
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A fresh context per test: its own cookies, JavaScript on or off, a phone-sized screen. */
async function withPage<T>(options: { javaScriptEnabled?: boolean; bypassCSP?: boolean }, fn: (page: Page) => Promise<T>): Promise<T> {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 360, height: 740 }, ...options });
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
  );
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

/** axe-core's WCAG 2.2 A/AA rules; serious and critical findings fail. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate<{ violations: { id: string; impact: string; nodes: unknown[] }[] }>(
    `axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`,
  );
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
}

async function boxDays(frameOrPage: Pick<Page, 'locator'>, root: string): Promise<string[]> {
  const times = frameOrPage.locator(`${root} li time`);
  await times.first().waitFor();
  return (await times.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
}

describe('the box script', () => {
  it('is at most 20 kB gzipped, cacheable, and has no eval or inline-script habits', async () => {
    const app = t ?? (await createTestApp());
    try {
      const res = await app.http.get('/embed/upcoming.js').expect(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(gzipSync(res.text).length).toBeLessThanOrEqual(20 * 1024);
      expect(res.text).not.toMatch(/\beval\(|new Function|innerHTML|setTimeout\(['"`]/);
      // The stylesheet travels inside the script (one request, nothing inline on the host page).
      expect(res.text).toContain('--eventline-accent');
    } finally {
      if (!t) await app.close();
    }
  });
});

describeInBrowser('attendee pages and the Upcoming Events box, in Chromium', () => {
  const hostPage = (service: string) => `<!doctype html><html lang="en"><head><title>TBJ</title></head><body><main>
    <h1>Business news</h1>
    <eventline-upcoming limit="3"></eventline-upcoming>
    <script src="${service}/embed/upcoming.js"></script>
    <iframe title="Upcoming events" src="${service}/embed/upcoming" width="320" height="360"></iframe>
    </main></body></html>`;
  // Scripts, connections and frames from the service only: no inline script, no eval, no inline style.
  const strictCsp = (service: string) =>
    `default-src 'none'; script-src ${service}; connect-src ${service}; frame-src ${service}; style-src 'none'`;
  const demoBlocks = DEMO_DAYS.map((d) => d.replace(' ', ''));

  it('shows the three demo sessions in the box on another site under a strict CSP, with scripts and without', async () => {
    const host = await serveHostPage(hostPage(base), { 'Content-Security-Policy': strictCsp(base) });
    try {
      await withPage({}, async (page) => {
        const problems: string[] = [];
        page.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(host.url);
        const box = page.locator('eventline-upcoming');
        expect(await boxDays(page, 'eventline-upcoming')).toEqual(demoBlocks);
        expect(await box.locator('.organizer').allTextContents()).toEqual(['TBJ', 'TBJ', 'TBJ']);
        expect(await box.locator('li a').first().getAttribute('href')).toMatch(new RegExp(`^${base}/e/tbj-`));
        expect(await box.locator('a.more').getAttribute('href')).toBe(`${base}/upcoming`);
        expect(await page.frameLocator('iframe').locator('li time').allTextContents()).toEqual(demoBlocks);
        expect(problems).toEqual([]);
      });
      await withPage({ javaScriptEnabled: false }, async (page) => {
        await page.goto(host.url);
        expect(await page.frameLocator('iframe').locator('li time').allTextContents()).toEqual(demoBlocks);
      });
    } finally {
      await host.close();
    }
  });

  it('shows a plain link to /upcoming when the service cannot be reached', async () => {
    // A script from the service, asking a port where nothing listens.
    const script = (await (await fetch(`${base}/embed/upcoming.js`)).text()).replace('new URL(script.src).origin', "'http://127.0.0.1:9'");
    const host = await serveHostPage(
      `<!doctype html><html lang="en"><head><title>x</title></head><body>
      <eventline-upcoming></eventline-upcoming><script src="/box.js"></script></body></html>`,
      {},
    );
    try {
      await withPage({}, async (page) => {
        await page.route('**/box.js', (route) => route.fulfill({ contentType: 'text/javascript', body: script }));
        await page.goto(host.url);
        const more = page.locator('eventline-upcoming a.more');
        await more.waitFor();
        expect(await more.textContent()).toBe('See upcoming events');
      });
    } finally {
      await host.close();
    }
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`registers, lands on the manage page, and cancels (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      await withPage({ javaScriptEnabled }, async (page) => {
        await page.goto(`${base}/upcoming`);
        await expectNoHorizontalScroll(page);
        await page.getByRole('link', { name: /August 22/ }).click();
        await expectNoHorizontalScroll(page);
        const email = `reader-${javaScriptEnabled}@example.com`;
        await page.getByLabel('Name').fill('Grace Reader');
        await page.getByLabel('Email').fill(email);
        await page.getByRole('button', { name: /Register/ }).click();
        await page.waitForURL(/\/m\/[A-Za-z0-9_-]{43}$/);
        expect(await page.locator('[role=status]').textContent()).toBe("You're registered.");
        const google = new URL((await page.getByRole('link', { name: 'Add to Google Calendar' }).getAttribute('href')) as string);
        expect(google.searchParams.get('action')).toBe('TEMPLATE');
        expect(await page.getByRole('link', { name: /webcal/ }).getAttribute('href')).toMatch(/^webcal:\/\/.*\/calendar\.ics$/);
        await expectNoHorizontalScroll(page);
        await page.getByRole('link', { name: 'Cancel my place' }).click();
        await page.getByRole('button', { name: 'Yes, cancel my place' }).click();
        await page.waitForURL(/\/m\/[A-Za-z0-9_-]{43}$/);
        expect(await page.locator('[role=status]').textContent()).toBe('This place is cancelled.');
        const [row] = await t.db.query(`SELECT status FROM registrations WHERE email = $1`, [email]);
        expect(row.status).toBe('cancelled');
      });
    });
  }

  it("shows the API's messages next to their fields and keeps what was typed", async () => {
    await withPage({ javaScriptEnabled: false }, async (page) => {
      await page.goto(`${base}/e/tbj-upcoming-event-aug-29`);
      await page.getByLabel('Name').fill('Ada');
      await page.getByLabel('Email').fill('not-an-email');
      await page.getByRole('button', { name: /Register/ }).click();
      const email = page.getByLabel('Email');
      expect(await email.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator(`#${await email.getAttribute('aria-describedby')}`).textContent()).toMatch(/email/);
      expect(await email.inputValue()).toBe('not-an-email');
      expect(await page.getByLabel('Name').inputValue()).toBe('Ada');
    });
  });

  it('registers once on a double submit (the form carries its own idempotency key)', async () => {
    await withPage({}, async (page) => {
      await page.goto(`${base}/e/tbj-upcoming-event-aug-01`);
      const form = page.locator('form');
      const fields = {
        sessionId: await form.locator('[name=sessionId]').inputValue(),
        key: await form.locator('[name=key]').inputValue(),
        name: 'Double Clicker',
        email: 'double@example.com',
      };
      // Both submissions of the same form, at once, as a double click sends them.
      const post = () =>
        page.request.post(`${base}/e/tbj-upcoming-event-aug-01/register`, { form: fields, headers: { Origin: base }, maxRedirects: 0 });
      const [a, b] = await Promise.all([post(), post()]);
      expect([a.status(), b.status()]).toEqual([303, 303]);
      expect(a.headers().location).toBe(b.headers().location);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM registrations WHERE email = 'double@example.com'`);
      expect(n).toBe(1);
    });
  });

  it('refuses a form posted from another site with 403', async () => {
    const host = await serveHostPage(
      `<!doctype html><html lang="en"><head><title>evil</title></head><body>
      <form method="post" action="${base}/e/tbj-upcoming-event-aug-01/register">
        <input name="sessionId" value="x"><input name="name" value="Mallory"><input name="email" value="m@example.com">
        <button>Win a prize</button></form></body></html>`,
      {},
    );
    try {
      await withPage({}, async (page) => {
        await page.goto(host.url);
        const [response] = await Promise.all([page.waitForResponse(`${base}/e/tbj-upcoming-event-aug-01/register`), page.click('button')]);
        expect(response.status()).toBe(403);
      });
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM registrations WHERE email = 'm@example.com'`);
      expect(n).toBe(0);
    } finally {
      await host.close();
    }
  });

  it('finds no serious or critical WCAG 2.2 AA violation on the box and every page', async () => {
    const [{ token }] = await t.http
      .post(`/sessions/${(await t.http.get('/sessions?limit=1')).body.data[0].id}/registrations`)
      .send({ name: 'Axe Tester', email: 'axe@example.com' })
      .then((res) => [{ token: res.body.manageToken as string }]);
    const host = await serveHostPage(hostPage(base), {});
    try {
      for (const url of [
        host.url,
        `${base}/embed/upcoming`,
        `${base}/upcoming`,
        `${base}/e/tbj-upcoming-event-aug-01`,
        `${base}/m/${token}`,
        `${base}/m/${token}/cancel`,
        `${base}/e/no-such-event`,
      ]) {
        await withPage({ bypassCSP: true }, async (page) => {
          await page.goto(url);
          if (url === host.url) await page.locator('eventline-upcoming li').first().waitFor();
          expect({ url, violations: await seriousViolations(page) }).toEqual({ url, violations: [] });
          await expectNoHorizontalScroll(page);
        });
      }
    } finally {
      await host.close();
    }
  });
});
