// The official capnweb server exposing the interop Api (the same as tests/rpc/interop_api.py):
// HTTP batch on POST /rpc and WebSocket on /rpc.
//   PORT=8787 HOST=127.0.0.1 node interop_server.mjs
import './shim.mjs';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { RpcTarget, newHttpBatchRpcResponse, newWebSocketRpcSession } from 'capnweb';

const port = Number(process.env.PORT || 8787);
const host = process.env.HOST || '127.0.0.1';

const users = new Map([
  [1, { id: 1, name: 'Alice', orders: [{ id: 101, item: 'apple', qty: 3 }, { id: 102, item: 'pear', qty: 1 }] }],
  [2, { id: 2, name: 'Bob', orders: [{ id: 201, item: 'plum', qty: 5 }] }],
]);

class Counter extends RpcTarget {
  #count;
  constructor(start) { super(); this.#count = start; }
  increment(by = 1) { this.#count += by; return this.#count; }
  get value() { return this.#count; }
}

class Api extends RpcTarget {
  hello(name) { return `Hello, ${name}!`; }
  add(a, b) { return a + b; }
  makeCounter(start = 0) { return new Counter(start); }
  getUser(id) {
    if (!users.has(id)) throw new Error(`no such user: ${id}`);
    return structuredClone(users.get(id));
  }
  async callback(fn, arg) { return await fn(arg); }
  fail() { throw new Error('intentional failure'); }
  echo(value) { return value; }
}

async function answerBatch(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = req.method === 'POST' ? Buffer.concat(chunks).toString('utf8') : undefined;
  const response = await newHttpBatchRpcResponse(new Request(`http://${host}${req.url}`, { method: req.method, body }), new Api());
  res.writeHead(response.status, { 'content-type': 'text/plain' });
  res.end(await response.text());
}

const server = createServer((req, res) => {
  if (new URL(req.url, 'http://x').pathname !== '/rpc') {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
    return;
  }
  answerBatch(req, res).catch((error) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(error?.stack ?? error));
  });
});
new WebSocketServer({ server, path: '/rpc' }).on('connection', (socket) => newWebSocketRpcSession(socket, new Api()));
server.listen(port, host, () => console.log(`interop_server listening on http://${host}:${port}/rpc`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
