// The official capnweb client against a dotdo.rpc server exposing the same Api as
// streams_server.mjs: nested map, streams both ways, blobs, streamed bodies, disposal.
//   node streams_client.mjs http://127.0.0.1:8000/rpc
// Prints one `ok NAME` or `FAIL NAME: reason` line per check.
import './shim.mjs';
import { newHttpBatchRpcSession, newWebSocketRpcSession } from 'capnweb';
import { isDeepStrictEqual, inspect } from 'node:util';

const url = process.argv[2];
const wsUrl = url.replace(/^http/, 'ws');
const text = (chunk) => (typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
const eq = (actual, expected) => {
  if (!isDeepStrictEqual(actual, expected)) throw new Error(`got ${inspect(actual)}, want ${inspect(expected)}`);
};
const checks = [];
const check = (name, fn) => checks.push([name, fn]);

function numbers(count) {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < count) controller.enqueue(new TextEncoder().encode(`${i++};`));
      else controller.close();
    },
  });
}

check('http nested map', async () => {
  const api = newHttpBatchRpcSession(url);
  eq(await api.rows().map((row) => row.xs.map((x) => api.add(x, row.id))), [[2, 3], [13], []]);
});
check('ws nested map', async () => {
  const api = newWebSocketRpcSession(wsUrl);
  eq(await api.rows().map((row) => ({ id: row.id, doubled: row.xs.map((x) => api.add(x, x)) })),
    [{ id: 1, doubled: [2, 4] }, { id: 10, doubled: [6] }, { id: 100, doubled: [] }]);
});
check('ws download ReadableStream', async () => {
  const api = newWebSocketRpcSession(wsUrl);
  const stream = await api.download(5);
  const parts = [];
  for await (const chunk of stream) parts.push(text(chunk));
  eq(parts.join(''), '0;1;2;3;4;');
});
check('http download ReadableStream', async () => {
  const api = newHttpBatchRpcSession(url);
  const stream = await api.download(3);
  const parts = [];
  for await (const chunk of stream) parts.push(text(chunk));
  eq(parts.join(''), '0;1;2;');
});
check('ws upload ReadableStream', async () => {
  const api = newWebSocketRpcSession(wsUrl);
  eq(await api.upload(numbers(200)), Array.from({ length: 200 }, (_, i) => `${i};`).join(''));
});
check('http upload ReadableStream', async () => {
  const api = newHttpBatchRpcSession(url);
  eq(await api.upload(numbers(3)), '0;1;2;');
});
check('ws WritableStream argument', async () => {
  const api = newWebSocketRpcSession(wsUrl);
  const got = [];
  let closed = false;
  const sink = new WritableStream({ write(chunk) { got.push(chunk); }, close() { closed = true; } });
  eq(await api.fill(sink, 20), 20);
  for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
  eq(got, Array.from({ length: 20 }, (_, i) => i));
  eq(closed, true);
});
check('ws WritableStream abort', async () => {
  const api = newWebSocketRpcSession(wsUrl);
  let reason = null;
  const got = [];
  const sink = new WritableStream({ write(chunk) { got.push(chunk); }, abort(r) { reason = r; } });
  await api.abandon(sink);
  for (let i = 0; i < 50 && reason === null; i++) await new Promise((r) => setTimeout(r, 10));
  eq(got, ['only one']);
  eq(String(reason?.message ?? reason).includes('changed my mind'), true);
});
check('ws blob both ways', async () => {
  const api = newWebSocketRpcSession(wsUrl);
  const blob = await api.blob('héllo');
  eq(blob instanceof Blob, true);
  eq([blob.type, await blob.text()], ['text/plain', 'héllo']);
  eq(await api.describe(new Blob(['abc'], { type: 'application/x-test' })), { type: 'application/x-test', size: 3, text: 'abc' });
});
check('ws streamed response and request bodies', async () => {
  const api = newWebSocketRpcSession(wsUrl);
  const response = await api.response('body text');
  eq([response.status, response.headers.get('x-kind'), await response.text()], [201, 'streamed', 'body text']);
  eq(await api.requestBody(new Request('https://x.test/', { method: 'POST', body: 'sent' })), { method: 'POST', body: 'sent' });
});
check('ws dispose reaches the target', async () => {
  const api = newWebSocketRpcSession(wsUrl);
  const resource = await api.open('js-held');
  eq(await resource.ping(), 'pong js-held');
  resource[Symbol.dispose]();
  let seen = [];
  for (let i = 0; i < 50 && !seen.includes('js-held'); i++) {
    await new Promise((r) => setTimeout(r, 10));
    seen = await api.disposed();
  }
  eq(seen.includes('js-held'), true);
});

let failed = 0;
for (const [name, fn] of checks) {
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 10000))]);
    console.log(`ok ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err?.stack || err}`);
  }
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
