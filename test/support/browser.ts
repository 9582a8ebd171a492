import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium (Playwright's own download cannot work here); CI installs it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Browser specs run wherever Chromium is installed, and in CI always: there a missing one fails. */
export const browserAvailable = existsSync(CHROMIUM) || Boolean(process.env.CI);

export function launchBrowser(): Promise<Browser> {
  // The sandbox needs user namespaces that containers and root often lack; the pages are our own.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** A page of another origin (another port), served with the headers given. */
export async function serveHostPage(html: string, headers: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
