import { chromium } from 'playwright-core';
import { outputPath, slug } from './paths.mjs';

export const CHROMIUM = process.env.HERALD_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Launches Debian's headless Chromium and opens one page.
 * Returns { browser, page, consoleMessages, consoleErrors, pageErrors, screenshot(name), close() }.
 * consoleMessages: every console message as { type, text }; consoleErrors: those of type error;
 * pageErrors: uncaught exceptions in the page.
 */
export async function launchBrowser({ timeoutMs = 30_000 } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: timeoutMs,
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);

  const consoleMessages = [];
  const consoleErrors = [];
  const pageErrors = [];
  page.on('console', (msg) => {
    const entry = { type: msg.type(), text: msg.text() };
    consoleMessages.push(entry);
    if (entry.type === 'error') consoleErrors.push(entry.text);
  });
  page.on('pageerror', (err) => pageErrors.push(String(err?.stack || err)));

  const screenshot = async (name) => {
    const file = outputPath(`${slug(name)}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };

  const close = async () => {
    await browser.close().catch(() => {});
  };

  return { browser, context, page, consoleMessages, consoleErrors, pageErrors, screenshot, close };
}
