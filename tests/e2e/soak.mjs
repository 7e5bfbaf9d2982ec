// cookieseal e2e - the clients of tests/e2e/soak.sh: N clients over the servers listed in a file
// (re-read after a connection error, so a restarted server is found at its new port), each
// logged in and keeping a counter in its session that must grow by one per request. Some
// clients log out everywhere at set times: their old cookie must then be refused on every
// server, and they start over. About one request in ten is hostile (tampered, oversized,
// garbage or duplicated cookie) and must change nothing. Writes a JSON summary to OUT.
// Usage: node soak.mjs SERVERS_FILE OUT DURATION_MS CLIENTS
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const [serversFile, out, durationMs, clientCount] = process.argv.slice(2);
const deadline = Date.now() + Number(durationMs);
const hostileShare = 0.1;
const propagationMs = 1000;  // a revocation reaches the other server within this (fleet.sh)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = {
  requests: 0, status5xx: 0, lost: 0, revoked: 0, logoutNotRecorded: 0, revokedAccepted: 0, acceptedWhilePropagating: 0,
  setCookie: 0, connectionRetries: 0, hostile: { tampered: 0, oversized: 0, garbage: 0, duplicated: 0 },
  hostileAccepted: 0, hostile5xx: 0, failures: [],
};
const t0 = Date.now();
const fail = (what) => { if (stats.failures.length < 20) stats.failures.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`); };
let servers = [];
const readServers = () => { servers = readFileSync(serversFile, 'utf8').split('\n').filter(Boolean); };
readServers();

// One request on a connection of its own (agent: false, Connection: close): cpp-httplib gives
// each open connection one of its 8 threads, so idle keep-alive connections of many clients
// would leave none for the operator's requests.
function exchange(url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: body ? 'POST' : 'GET', headers, agent: false, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text, set: res.headers['set-cookie']?.[0] }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

// One request to server `at` (an index, taken modulo the list); retried for up to 10 s while the
// server cannot be reached (a restart), on the next server each time.
async function send(at, path, { cookie, body } = {}) {
  for (let attempt = 0; ; attempt++) {
    const base = servers[(at + attempt) % servers.length];
    try {
      const headers = {};
      if (cookie) headers.cookie = cookie;
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await exchange(base + path, headers, body);
      stats.requests++;
      if (res.status === 503 && path === '/logout-everywhere') stats.logoutNotRecorded++;  // said, retried
      else if (res.status >= 500) { stats.status5xx++; fail(`${res.status} on ${path}: ${res.text.trim()}`); }
      const set = res.set;
      if (set) stats.setCookie++;
      return { status: res.status, text: res.text, set: set ? set.split(';')[0] : null, at: (at + attempt) % servers.length };
    } catch (e) {
      if (e.code === 'ERR_INVALID_CHAR' || attempt >= 100) throw new Error(`${base}${path}: ${e.message}`);
      stats.connectionRetries++;
      await sleep(100);
      readServers();
    }
  }
}

class Client {
  constructor(id) { this.id = id; this.user = `soak${id}`; this.next = id; this.cookie = null; }
  at() { return this.next++; }  // round robin over the servers
  keep(r) { if (r.set) this.cookie = r.set; return r; }
  async post(path, fields) {
    const at = this.at();
    const page = this.keep(await send(at, '/', { cookie: this.cookie }));
    const csrf = /name=_csrf value=([A-Za-z0-9_-]*)>/.exec(page.text)?.[1] ?? '';
    return this.keep(await send(page.at, path, { cookie: this.cookie, body: `${fields}&_csrf=${csrf}` }));
  }
  async login() {
    const r = await this.post('/login', `user=${this.user}`);
    if (r.status !== 303) fail(`login of ${this.user}: ${r.status}`);
    this.counter = 0;
  }
  async step() {
    const r = this.keep(await send(this.at(), '/counter', { cookie: this.cookie }));
    const n = Number.parseInt(r.text, 10);
    const lost = n !== this.counter + 1;
    if (lost) { stats.lost++; fail(`${this.user}: counter ${n} after ${this.counter} on server ${r.at}`); }
    this.counter = n;
    if (Number.isNaN(n) || n === 1 && lost) await this.login();  // a lost session lost its login too
  }
  // The old cookie must be refused (a fresh session counts 1) by the server that logged out at
  // once, by every other within propagationMs.
  async logoutEverywhere() {
    const old = this.cookie;
    let r;
    for (let i = 0; i < 50; i++) {  // 503 while redis-server is unreachable: try again, same cookie
      this.cookie = old;
      r = await this.post('/logout-everywhere', 'x=1');
      if (r.status !== 503) break;
      await sleep(100);
    }
    if (r.status !== 200) fail(`logout-everywhere of ${this.user}: ${r.status}`);
    stats.revoked++;
    for (let s = 0; s < servers.length; s++) {
      const since = Date.now();
      for (;;) {
        const probe = await send(r.at + s, '/counter', { cookie: old });
        if (probe.text.trim() === '1') break;
        if (s === 0 || Date.now() - since > propagationMs) {
          stats.revokedAccepted++;
          fail(`${this.user}: revoked cookie accepted on server ${(r.at + s) % servers.length}: ${probe.text.trim()}`);
          break;
        }
        stats.acceptedWhilePropagating++;
        await sleep(20);
      }
    }
    await sleep(1100);  // a revocation covers sessions created until its second
    this.cookie = null;
    await this.login();
  }
  // A request that must not change this client's session: its answer is not kept.
  async hostile() {
    const kinds = Object.keys(stats.hostile);
    const kind = kinds[Math.floor(Math.random() * kinds.length)];
    stats.hostile[kind]++;
    const [name, value] = [this.cookie.slice(0, this.cookie.indexOf('=')), this.cookie.slice(this.cookie.indexOf('=') + 1)];
    const i = Math.floor(value.length / 2);
    const cookie = {
      tampered: `${name}=${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`,
      oversized: `${name}=${'A'.repeat(8192)}`,
      garbage: `${name}=${String.fromCharCode(...Array.from({ length: 300 }, () => 0x80 + Math.floor(Math.random() * 0x80)))}`,
      duplicated: `${this.cookie}; ${name}=${value.slice(0, i)}; ${this.cookie}`,
    }[kind];
    let r;
    try {
      r = await send(this.at(), '/counter', { cookie });
    } catch (e) {
      // node refuses some header bytes itself: a request that was never sent
      if (e.code === 'ERR_INVALID_CHAR') return;
      throw e;
    }
    if (r.status >= 500) stats.hostile5xx++;
    if (kind !== 'duplicated' && r.status === 200 && r.text.trim() !== '1') {
      stats.hostileAccepted++;
      fail(`${kind} cookie accepted: ${r.text.trim()}`);
    }
  }
}

const clients = Array.from({ length: Number(clientCount) }, (_, i) => new Client(i));
const revokers = clients.slice(0, Math.max(1, Math.floor(clients.length / 4)));
const revokeAt = [0.35, 0.85].map((share) => Date.now() + share * Number(durationMs));
await Promise.all(clients.map(async (c) => {
  await c.login();
  let revocations = 0;
  while (Date.now() < deadline) {
    if (revokers.includes(c) && revocations < revokeAt.length && Date.now() >= revokeAt[revocations]) {
      revocations++;
      await c.logoutEverywhere();
    }
    if (Math.random() < hostileShare) await c.hostile();
    await c.step();
    await sleep(5);
  }
})).catch((e) => fail(`client stopped: ${e.message}`));
writeFileSync(out, JSON.stringify(stats, null, 1));
