// What the guide's services do with the `openai` package, with Node's own fetch: POST to
// baseURL + path, `Authorization: Bearer not-needed`, JSON in and out.
async function post(baseURL, path, body, timeoutMs) {
  const response = await fetch(baseURL + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer not-needed' },
    body: JSON.stringify(body),
    signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

module.exports = { post };
