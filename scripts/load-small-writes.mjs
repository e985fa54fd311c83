#!/usr/bin/env node
// Load test (not part of the test command): one tenant's small writes in a loop must not slow
// another tenant's reads. Writers add device groups to `acme` as fast as they can; readers load
// the users list of `globex`. Prints the readers' latency percentiles, with and without writers.
//
//   target/release/server with CASTELLAN_DEMO=1 listening on $BASE (default http://127.0.0.1:3000)
//   node scripts/load-small-writes.mjs [seconds per phase, default 10] [writers, default 4] [readers, default 4]

const BASE = process.env.BASE ?? 'http://127.0.0.1:3000';
const SECONDS = Number(process.argv[2] ?? 10);
const WRITERS = Number(process.argv[3] ?? 4);
const READERS = Number(process.argv[4] ?? 4);
const PASSWORD = 'Castellan-demo-1';

async function signIn(tenant) {
  const response = await fetch(`${BASE}/api/login`, {
    method: 'POST',
    headers: { Origin: BASE, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ tenant, username: 'admin', password: PASSWORD }),
    redirect: 'manual',
  });
  const cookie = (response.headers.getSetCookie?.() ?? [response.headers.get('set-cookie')])
    .find((c) => c && c.includes('castellan_session='));
  if (!cookie) throw new Error(`sign-in to ${tenant} failed: ${response.status}`);
  return cookie.split(';')[0];
}

async function call(cookie, endpoint, body) {
  const started = performance.now();
  const response = await fetch(`${BASE}/api/${endpoint}`, {
    method: 'POST',
    headers: { Origin: BASE, Cookie: cookie, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function phase(name, writers, readerCookie, writerCookie) {
  const until = performance.now() + SECONDS * 1000;
  const reads = [];
  let writes = 0;
  let failed = 0;
  const loops = [];
  for (let w = 0; w < writers; w++) {
    loops.push((async () => {
      for (let i = 0; performance.now() < until; i++) {
        const r = await call(writerCookie, 'device_groups/create', { parent: null, name: `load-${w}-${i}-${Date.now()}` });
        if (r.status === 200) writes++; else failed++;
      }
    })());
  }
  for (let r = 0; r < READERS; r++) {
    loops.push((async () => {
      while (performance.now() < until) {
        const res = await call(readerCookie, 'users/list', { query: '', page: 1 });
        if (res.status === 200) reads.push(res.ms); else failed++;
      }
    })());
  }
  await Promise.all(loops);
  reads.sort((a, b) => a - b);
  const f = (x) => x.toFixed(1);
  console.log(`${name}: ${reads.length} reads of globex (p50 ${f(percentile(reads, 50))} ms, p95 ${f(percentile(reads, 95))} ms, p99 ${f(percentile(reads, 99))} ms), ${writes} writes to acme, ${failed} failed`);
}

const reader = await signIn('globex');
const writer = await signIn('acme');
await phase('reads alone          ', 0, reader, writer);
await phase(`reads with ${WRITERS} writers`, WRITERS, reader, writer);
