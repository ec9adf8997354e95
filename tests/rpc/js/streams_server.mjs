// A capnweb (official npm package) server exposing streams, blobs, nested data and disposable
// targets, for the interop tests of dotdo.rpc's client. Run from the installed peer folder (it imports
// its shim and node_modules):  PORT=8788 node streams_server.mjs
import './shim.mjs';
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { RpcTarget, newWebSocketRpcSession, newHttpBatchRpcResponse } from 'capnweb';

const PORT = Number(process.env.PORT || 8788);
const HOST = process.env.HOST || '127.0.0.1';
const disposed = [];

class Resource extends RpcTarget {
  constructor(name) { super(); this.name = name; }
  ping() { return `pong ${this.name}`; }
  [Symbol.dispose]() { disposed.push(this.name); }
}

const text = (chunk) => (typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));

class Api extends RpcTarget {
  rows() { return [{ id: 1, xs: [1, 2] }, { id: 10, xs: [3] }, { id: 100, xs: [] }]; }
  add(a, b) { return a + b; }
  download(count) {
    let i = 0;
    return new ReadableStream({
      pull(controller) {
        if (i < count) controller.enqueue(new TextEncoder().encode(`${i++};`));
        else controller.close();
      },
    });
  }
  async upload(stream) {
    const parts = [];
    for await (const chunk of stream) parts.push(text(chunk));
    return parts.join('');
  }
  async fill(writable, count) {
    const writer = writable.getWriter();
    for (let i = 0; i < count; i++) await writer.write(i);
    await writer.close();
    return count;
  }
  async abandon(writable) {
    const writer = writable.getWriter();
    await writer.write('only one');
    await writer.abort(new Error('changed my mind'));
  }
  blob(content) { return new Blob([content], { type: 'text/plain' }); }
  async describe(blob) { return { type: blob.type, size: blob.size, text: await blob.text() }; }
  response(body) { return new Response(body, { status: 201, headers: { 'x-kind': 'streamed' } }); }
  async requestBody(request) { return { method: request.method, body: await request.text() }; }
  open(name) { return new Resource(name); }
  disposed() { return disposed.slice(); }
}

const server = http.createServer(async (req, res) => {
  if (req.headers.upgrade?.toLowerCase() === 'websocket') return;
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const request = new Request(`http://${HOST}${req.url}`, {
    method: req.method, body: req.method === 'POST' ? Buffer.concat(chunks).toString('utf8') : undefined,
  });
  const response = await newHttpBatchRpcResponse(request, new Api());
  res.writeHead(response.status, { 'content-type': 'text/plain' });
  res.end(await response.text());
});
const wss = new WebSocketServer({ server, path: '/rpc' });
wss.on('connection', (ws) => { newWebSocketRpcSession(ws, new Api()); });
server.listen(PORT, HOST, () => console.log(`streams server on http://${HOST}:${PORT}/rpc`));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { wss.close(); server.close(); process.exit(0); });
