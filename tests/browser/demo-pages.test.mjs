// Every demo page served by `herald serve` (demo publishers on, the default) loads with no console errors, shows
// live data over the transport it is about, and is screenshotted to tests/browser/output/demo-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHerald, launchBrowser, waitFor, outputPath } from './lib/index.mjs';

let herald;
let browser;
before(async () => {
  herald = await startHerald([], { name: 'demo-pages' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await herald?.stop();
});

/** A fresh page with its console watched: { page, errors } (console errors and uncaught exceptions). */
async function openPage(t, path) {
  const context = await browser.browser.newContext({ viewport: { width: 1100, height: 760 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page: ${e.stack || e}`));
  const response = await page.goto(`${herald.url}${path}`);
  assert.ok(response?.ok(), `GET ${path}: HTTP ${response?.status()}`);
  return { page, errors };
}

const client = (page) => page.evaluate(() => ({ state: window.herald?.state, transport: window.herald?.transport, stats: window.herald?.stats }));

async function waitOpen(page, transport) {
  await waitFor(async () => {
    const c = await client(page);
    return c.state === 'open' && c.transport === transport;
  }, { timeoutMs: 15_000, message: async () => `the page's client open on ${transport}: ${JSON.stringify(await client(page))}` });
}

async function finish(page, errors, name) {
  await page.screenshot({ path: outputPath(`demo-${name}.png`), fullPage: true });
  assert.deepEqual(errors, [], `no console errors on ${name}`);
}

test('index: links to every demo and shows how to use the client', async (t) => {
  const { page, errors } = await openPage(t, '/');
  const links = await page.$$eval('a.card', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['/chat.html', '/dashboard.html', '/notifications.html', '/tokens.html']);
  assert.match(await page.textContent('main'), /\/client\/index\.js/);
  await finish(page, errors, 'index');
});

test('dashboard: metrics over SSE, backfilled from history, charted live', async (t) => {
  const { page, errors } = await openPage(t, '/dashboard.html');
  await waitOpen(page, 'sse');
  await waitFor(() => page.evaluate(() => (document.querySelector('#rps-chart polyline')?.getAttribute('points') ?? '')
    .split(' ').filter(Boolean).length >= 12), { timeoutMs: 20_000, message: 'a dozen samples on the chart' });
  assert.match(await page.textContent('#rps'), /^[0-9,]+\/s$/);
  assert.match(await page.textContent('#status'), /msg\/s/);
  await finish(page, errors, 'dashboard');
});

test('tokens: an answer rendered token by token over SSE', async (t) => {
  const { page, errors } = await openPage(t, '/tokens.html');
  await waitOpen(page, 'sse');
  await waitFor(() => page.evaluate(() => (document.querySelector('.answer .text')?.textContent ?? '').length > 80),
    { timeoutMs: 20_000, message: 'a streamed answer of some length' });
  assert.match(await page.textContent('.answer .meta'), /tokens\/s/);
  await finish(page, errors, 'tokens');
});

test('notifications: long polling by default; switching transports resumes without duplicates', async (t) => {
  const { page, errors } = await openPage(t, '/notifications.html');
  await waitOpen(page, 'longpoll');
  await waitFor(() => page.evaluate(() => document.querySelectorAll('#feed li').length >= 1),
    { timeoutMs: 15_000, message: 'a notification' });
  for (const [label, transport] of [['SSE', 'sse'], ['WebSocket', 'websocket'], ['Long polling', 'longpoll']]) {
    await page.click(`#transport label:has-text("${label}")`);
    await waitOpen(page, transport);
  }
  await page.click('#send');
  await waitFor(() => page.evaluate(() => document.querySelector('#feed li .title')?.textContent === 'Hello from this page'),
    { timeoutMs: 10_000, message: "the page's own notification" });
  const items = await page.$$eval('#feed li', (lis) => lis.map((li) => li.textContent));
  assert.equal(new Set(items).size, items.length, `no notification shown twice: ${JSON.stringify(items)}`);
  assert.match(await page.textContent('#count'), new RegExp(`^${items.length} received$`));
  await finish(page, errors, 'notifications');
});

test('chat: WebSocket both ways, presence and typing between two people', async (t) => {
  const alice = await openPage(t, '/chat.html?name=alice');
  const bob = await openPage(t, '/chat.html?name=bob');
  await waitOpen(alice.page, 'websocket');
  await waitOpen(bob.page, 'websocket');
  const members = (page) => page.$$eval('#members li', (lis) => lis.map((li) => li.textContent));
  await waitFor(async () => (await members(alice.page)).length === 2, {
    timeoutMs: 10_000, message: async () => `alice to see two members: ${await members(alice.page)}`,
  });
  assert.deepEqual(await members(alice.page), ['alice (you)', 'bob']);

  await bob.page.fill('#text', 'Hi Alice! Typing shows up as an ephemeral message.');
  await waitFor(() => alice.page.evaluate(() => document.getElementById('typing').textContent.includes('bob is typing')),
    { timeoutMs: 10_000, message: "bob's typing indicator on alice's page" });
  await bob.page.press('#text', 'Enter');
  await alice.page.fill('#text', 'Hello Bob, this came over the same WebSocket.');
  await alice.page.press('#text', 'Enter');
  for (const { page } of [alice, bob]) {
    await waitFor(() => page.evaluate(() => document.querySelectorAll('#log .msg').length >= 2),
      { timeoutMs: 10_000, message: 'both messages in the log' });
  }
  const log = await alice.page.$$eval('#log .msg', (ms) => ms.map((m) => m.textContent));
  assert.match(log.at(-2), /^bob · .*Hi Alice!/);
  assert.match(log.at(-1), /^alice · .*Hello Bob/);
  await finish(alice.page, alice.errors, 'chat');
  assert.deepEqual(bob.errors, [], "no console errors on bob's page");
});
