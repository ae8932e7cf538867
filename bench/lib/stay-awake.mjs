// Loaded with `node --import` into a bench server by `bench/server.mjs --awake`: while a client
// is connected, the event loop never sleeps in epoll_wait (a setImmediate chain polls I/O with a
// zero timeout), so a reply never waits for an idle CPU to wake up. It burns the server's core
// while connected (the other servers of a row, idle between their turns, sleep as usual): a
// diagnostic that separates a server's own latency from the machine's wake-up latency, never a
// way to serve. CPU figures of such a run are meaningless.
let spins = 0;
const connected = () => process.getActiveResourcesInfo().includes('TCPSocketWrap');
const poll = () => {
  if ((++spins & 1023) === 0 && !connected()) return void setTimeout(idle, 20);
  setImmediate(poll);
};
const idle = () => (connected() ? poll() : setTimeout(idle, 20));
idle();
