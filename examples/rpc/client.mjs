// The official Cap'n Web client (npm `capnweb`) calling the Python object of server.py.
//   node client.mjs [http://127.0.0.1:8787/rpc]
import { newHttpBatchRpcSession, newWebSocketRpcSession } from 'capnweb';
import { WebSocket } from 'ws';

// Node 20 has neither Promise.withResolvers nor a global WebSocket; newer runtimes have both.
Promise.withResolvers ??= function () {
  let resolve, reject;
  const promise = new this((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
};
globalThis.WebSocket ??= WebSocket;

const url = process.argv[2] ?? 'http://127.0.0.1:8787/rpc';

// HTTP batch: everything below travels in ONE request, pipelined on the server.
const api = newHttpBatchRpcSession(url);
const list = api.todo_list('groceries');
const [greeting, first, second, items] = await Promise.all([
  api.hello('JavaScript'), list.add('apples'), list.add('pears'), list.items,
]);
console.log(greeting, first, second, items);

// WebSocket: a long-lived session; the server can call functions we pass.
const ws = newWebSocketRpcSession(url.replace(/^http/, 'ws'));
const todo = await ws.todo_list('chores');
await todo.add('dishes');
console.log(await todo.complete(0));
let exported = '';
for await (const line of await todo.export()) exported += line;   // a ReadableStream
console.log(JSON.stringify(exported));
console.log(await ws.each([1, 2, 3], (n) => n * 10));
ws[Symbol.dispose]();
