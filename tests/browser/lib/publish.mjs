/**
 * POST /v1/channels/{channel}/messages with a text/plain body.
 * Resolves to the JSON answer ({ channel, id }); throws on a non-2xx status.
 */
export async function publish(baseUrl, channel, text) {
  const url = new URL(`/v1/channels/${encodeURIComponent(channel)}/messages`, baseUrl);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: text,
  });
  const body = await res.text();
  if (!res.ok) {
    throw new Error(`publish to ${channel} failed: HTTP ${res.status} ${body}`);
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`publish to ${channel}: answer is not JSON: ${body}`);
  }
}
