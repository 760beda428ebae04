// The status indicator every demo page shows: transport in use, connection state, messages per second.
// Also exposes the page's client as window.herald for the browser tests and for poking at in devtools.

/**
 * Renders into `element` and follows `client`. Returns { count(n) } to call for each message received; the rate
 * is the number of messages in the last two seconds, halved.
 */
export function statusBar(element, client) {
  element.classList.add('status');
  element.innerHTML = '<span class="dot"></span><span class="state">idle</span>'
    + '<span class="transport" title="transport in use">—</span>'
    + '<span class="rate">0 msg/s</span><span class="note"></span>';
  const $ = (sel) => element.querySelector(sel);
  const stamps = [];
  const render = () => {
    const now = performance.now();
    while (stamps.length && now - stamps[0] > 2000) stamps.shift();
    const rate = stamps.length / 2;
    $('.rate').textContent = `${rate < 10 ? rate.toFixed(1) : Math.round(rate)} msg/s`;
  };
  const note = (text) => { $('.note').textContent = text; };
  client.on('state', (s) => {
    element.dataset.state = s.state;
    $('.state').textContent = s.state === 'reconnecting' ? `reconnecting in ${(s.delay / 1000).toFixed(1)} s` : s.state;
    $('.transport').textContent = s.transport ?? '—';
    if (s.state === 'open') note(client.stats.reconnects ? `${client.stats.reconnects} reconnects` : '');
  });
  client.on('transport', (t) => {
    if (t.reason !== 'initial') note(`${t.reason}: ${t.previous} → ${t.transport}`);
  });
  client.on('reset', (r) => note(`history lost on ${r.channel} (${r.reason})`));
  client.on('error', (e) => note(e.message));
  setInterval(render, 500);
  globalThis.herald = client;
  return {
    count(n = 1) {
      const now = performance.now();
      for (let i = 0; i < n; i++) stamps.push(now);
    },
  };
}

/** "12:03:04" in the page's locale. */
export function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
