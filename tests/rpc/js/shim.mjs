// capnweb targets Node 22 and browsers. On Node 20 two things are missing: Promise.withResolvers
// and a global WebSocket class (its client does `new WebSocket(url)`). Import this module before
// 'capnweb' so both exist.
import { WebSocket as NodeWebSocket } from 'ws';

if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    const resolvers = {};
    resolvers.promise = new this((resolve, reject) => Object.assign(resolvers, { resolve, reject }));
    return resolvers;
  };
}

if (typeof globalThis.WebSocket === 'undefined') globalThis.WebSocket = NodeWebSocket;

export { NodeWebSocket };
