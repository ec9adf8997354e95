// The official capnweb client running numbered checks against a server exposing the interop Api
// (tests/rpc/interop_api.py): HTTP batch 1-15, WebSocket 16-24, value round trips 25-34.
//   node interop_client.mjs http://127.0.0.1:8000/rpc [--ws-url URL] [--timeout MS]
// Prints `ok N name` or `FAIL N name: reason` per check, then `P passed, F failed`; exits 1 on a failure.
// HTTP checks count the requests made, so a pipelined chain must travel in one request.
import { NodeWebSocket } from './shim.mjs';
import { newHttpBatchRpcSession, newWebSocketRpcSession } from 'capnweb';
import { inspect, isDeepStrictEqual, parseArgs } from 'node:util';

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'ws-url': { type: 'string' }, timeout: { type: 'string', default: '5000' } },
});
const url = positionals[0] ?? 'http://127.0.0.1:8787/rpc';
const wsUrl = options['ws-url'] ?? url.replace(/^http/, 'ws');
const timeoutMs = Number(options.timeout);

let requests = 0;
const platformFetch = globalThis.fetch;
globalThis.fetch = (...args) => { requests += 1; return platformFetch(...args); };

let framesReceived = 0;
globalThis.WebSocket = class CountingWebSocket extends NodeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', () => { framesReceived += 1; });
  }
};

class CheckFailed extends Error {}
const describe = (value) => inspect(value, { depth: 6 });
function same(actual, expected, what = 'value') {
  if (!isDeepStrictEqual(actual, expected)) throw new CheckFailed(`${what}: want ${describe(expected)}, got ${describe(actual)}`);
}
function ensure(condition, message) { if (!condition) throw new CheckFailed(message); }
async function rejection(promise, what) {
  try { await promise; } catch (error) { return error; }
  throw new CheckFailed(`${what} resolved; a rejection was expected`);
}
const oneRequest = () => same(requests, 1, 'HTTP requests');
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const ALICE = { id: 1, name: 'Alice', orders: [{ id: 101, item: 'apple', qty: 3 }, { id: 102, item: 'pear', qty: 1 }] };
const checks = [];
const check = (name, body) => checks.push({ name, body });
const overHttp = () => newHttpBatchRpcSession(url);
let wsSession = null;
const overWs = () => (wsSession ??= newWebSocketRpcSession(wsUrl));

// ---------------------------------------------------------------- HTTP batch (1-15)
check('http: hello', async () => { same(await overHttp().hello('World'), 'Hello, World!'); oneRequest(); });
check('http: add integers and floats', async () => {
  const api = overHttp();
  same(await Promise.all([api.add(2, 3), api.add(0.5, 0.25)]), [5, 0.75]);
});
check('http: two calls in one request', async () => {
  const api = overHttp();
  same(await Promise.all([api.hello('A'), api.add(1, 2)]), ['Hello, A!', 3]);
  oneRequest();
});
check('http: pipelined makeCounter(5).increment(2)', async () => { same(await overHttp().makeCounter(5).increment(2), 7); oneRequest(); });
check('http: getter on a returned target', async () => { same(await overHttp().makeCounter(5).value, 5); oneRequest(); });
check('http: several pipelined calls on one promise', async () => {
  const counter = overHttp().makeCounter(10);
  same(await Promise.all([counter.increment(1), counter.increment(2), counter.value]), [11, 13, 13]);
  oneRequest();
});
check('http: nested object with arrays', async () => same(await overHttp().getUser(1), ALICE));
check('http: pipelined property access', async () => {
  // The JS client sends path elements as strings, which its own server does not use as array
  // indexes: index the fetched array locally.
  const user = overHttp().getUser(1);
  const [name, orders] = await Promise.all([user.name, user.orders]);
  same(name, 'Alice');
  same(orders[1].item, 'pear');
  oneRequest();
});
check('http: a promise as an argument', async () => {
  const api = overHttp();
  same(await api.hello(api.getUser(2).name), 'Hello, Bob!');
  oneRequest();
});
check('http: map over an array', async () => {
  same(await overHttp().getUser(1).orders.map((order) => order.item), ['apple', 'pear']);
  oneRequest();
});
check('http: map calling a captured stub', async () => {
  const api = overHttp();
  same(await api.getUser(1).orders.map((order) => api.hello(order.item)), ['Hello, apple!', 'Hello, pear!']);
  oneRequest();
});
check('http: map building objects', async () => {
  const api = overHttp();
  const built = await api.getUser(1).orders.map((order) => ({ item: order.item, total: api.add(order.qty, 10) }));
  same(built, [{ item: 'apple', total: 13 }, { item: 'pear', total: 11 }]);
  oneRequest();
});
check('http: a thrown error rejects with its message', async () => {
  const error = await rejection(overHttp().fail(), 'fail()');
  ensure(error instanceof Error && error.message.includes('intentional failure'), `unexpected rejection ${describe(error)}`);
});
check('http: one failing call leaves the others of its batch alone', async () => {
  const api = overHttp();
  const [failed, added] = await Promise.allSettled([api.fail(), api.add(1, 1)]);
  same([failed.status, added.status, added.value], ['rejected', 'fulfilled', 2]);
  oneRequest();
});
check('http: an unknown method rejects that call only', async () => {
  const api = overHttp();
  const [unknown, hello] = await Promise.allSettled([api.noSuchMethod(1), api.hello('still here')]);
  same([unknown.status, hello.status, hello.value], ['rejected', 'fulfilled', 'Hello, still here!']);
});

// ---------------------------------------------------------------- WebSocket (16-24)
check('ws: hello', async () => same(await overWs().hello('WebSocket'), 'Hello, WebSocket!'));
check('ws: pipelined makeCounter(5).increment(2)', async () => {
  const before = framesReceived;
  same(await overWs().makeCounter(5).increment(2), 7);
  ensure(framesReceived - before <= 2, `the server sent ${framesReceived - before} frames; one answer (and a release) expected`);
});
check('ws: a counter stub kept across round trips, then released', async () => {
  const counter = await overWs().makeCounter(10);
  same([await counter.increment(1), await counter.increment(2), await counter.value], [11, 13, 13]);
  counter[Symbol.dispose]();
});
check('ws: the server calls a client function', async () => {
  let calls = 0;
  same(await overWs().callback((x) => { calls += 1; return x * 2; }, 21), 42);
  same(calls, 1, 'client function calls');
});
check('ws: the server awaits an async client function', async () => {
  same(await overWs().callback(async (text) => { await pause(10); return `got ${text}`; }, 'ping'), 'got ping');
});
check('ws: map calling a captured stub', async () => {
  const api = overWs();
  same(await api.getUser(1).orders.map((order) => api.hello(order.item)), ['Hello, apple!', 'Hello, pear!']);
});
check('ws: property access, local and pipelined', async () => {
  const api = overWs();
  same((await api.getUser(2)).orders[0].item, 'plum');
  same(await api.getUser(2).name, 'Bob');
  same(await api.makeCounter(3).value, 3);
});
check('ws: an error, then the session still answers', async () => {
  const api = overWs();
  const error = await rejection(api.fail(), 'fail()');
  ensure(error instanceof Error && error.message.includes('intentional failure'), `unexpected rejection ${describe(error)}`);
  same(await api.add(40, 2), 42);
});
check('ws: 20 concurrent calls', async () => {
  const api = overWs();
  const expected = Array.from({ length: 20 }, (_, i) => i + 1000);
  same(await Promise.all(expected.map((_, i) => api.add(i, 1000))), expected);
});

// ---------------------------------------------------------------- value round trips (25-34)
const roundTrips = {
  'nested arrays': [[1, [2, 3]], 'x', []],
  'object with arrays and null': { a: [1, 2], b: null, c: { d: ['e'] }, t: true },
  Date: new Date(1749342170815),
  bigint: 12345678901234567890n,
  'Uint8Array bytes': new Uint8Array([0, 1, 2, 253, 254, 255]),
  undefined,
  'Infinity, -Infinity, NaN': [Infinity, -Infinity, NaN],
  'unicode string': 'h\u00e9llo \u2603 \ud83d\ude00',
  'large integer and floats': [2 ** 53 - 1, -0.125, 1e300],
};
for (const [label, value] of Object.entries(roundTrips)) {
  check(`http: echo ${label}`, async () => {
    const echoed = await overHttp().echo(value);
    // Node hands bytes back as a Buffer (a Uint8Array subclass).
    same(echoed instanceof Uint8Array ? new Uint8Array(echoed) : echoed, value);
  });
}
check('http: echo an Error as a value', async () => {
  const echoed = await overHttp().echo(new RangeError('as a value'));
  ensure(echoed instanceof RangeError && echoed.message === 'as a value', `got ${describe(echoed)}`);
});

// ---------------------------------------------------------------- runner
// A broken server can leave rejections that nobody awaits: they are reported by the checks.
process.on('unhandledRejection', () => {});

function deadline(promise) {
  let timer;
  const expired = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs); });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

let passed = 0;
let failed = 0;
for (const [index, { name, body }] of checks.entries()) {
  requests = 0;
  try {
    await deadline(Promise.resolve().then(body));
    console.log(`ok ${index + 1} ${name}`);
    passed += 1;
  } catch (error) {
    const reason = error instanceof CheckFailed ? error.message : `${error?.name ?? 'Error'}: ${error?.message ?? error}`;
    console.log(`FAIL ${index + 1} ${name}: ${reason.replace(/\s*\n\s*/g, ' ')}`);
    failed += 1;
  }
}
try { wsSession?.[Symbol.dispose](); } catch {}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
