// Issue #2, case i: regime by region (time zone, or the config's region hint), and GPC.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, get, waitForRequests, settleThenCount, listRequests, HOSTS, ENGINE } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });
beforeEach(() => env.loopback.reset());

const REGIME = { JP: 'opt-out', default: 'opt-in' };
const cfg = (extra = {}) => ({ revision: 1, regime: REGIME, services: { youtube: { category: 'sns' } }, ...extra });
const on = (hosts) => (e) => hosts.some((h) => e.host === h || e.host.endsWith('.' + h));

async function expectGa4(lb) {
  await waitForRequests(lb, { host: 'www.googletagmanager.com', path: '/gtag/js' });
  await waitForRequests(lb, { host: 'www.google-analytics.com', path: '/g/collect' });
}
async function expectMeta(lb) {
  await waitForRequests(lb, { host: 'connect.facebook.net', path: '/en_US/fbevents.js' });
  await waitForRequests(lb, { host: 'www.facebook.com', path: '/tr/' });
}

test('i. Asia/Tokyo + {JP: opt-out}: analytics and ads load before a choice, sns (YouTube) does not', async () => {
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Asia/Tokyo', locale: 'ja-JP' });
  const { page } = await open(context, '/tags.html', { config: cfg(), quiet: 0 });
  const st = await get(page);
  assert.equal(st.regime, 'opt-out');
  assert.equal(st.region, 'JP');
  assert.equal(st.decided, false);
  assert.equal(st.categories.sns, false, 'sns is always opt-in');
  await expectGa4(lb);
  await expectMeta(lb);
  const yt = await settleThenCount(lb, on(HOSTS.youtube));
  assert.equal(yt.length, 0, `YouTube before a choice in opt-out:\n  ${listRequests(yt)}`);
  await context.close();
});

test('i. Europe/Berlin + {JP: opt-out, default: opt-in}: nothing loads', async () => {
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Europe/Berlin', locale: 'de-DE' });
  const { page } = await open(context, '/tags.html', { config: cfg(), loopback: lb });
  const st = await get(page);
  assert.equal(st.regime, 'opt-in');
  assert.notEqual(st.region, 'JP');
  const reqs = await settleThenCount(lb, on(HOSTS.all));
  assert.equal(reqs.length, 0, listRequests(reqs));
  await context.close();
});

test('i. region hint "JP" in the config overrides the time zone (Berlin → opt-out)', async () => {
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Europe/Berlin' });
  const { page } = await open(context, '/tags.html', { config: cfg({ region: 'JP' }), quiet: 0 });
  const st = await get(page);
  assert.equal(st.region, 'JP');
  assert.equal(st.regime, 'opt-out');
  await expectGa4(lb);
  await context.close();
});

test('i. region hint "DE" in the config overrides the time zone (Tokyo → opt-in)', async () => {
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Asia/Tokyo' });
  const { page } = await open(context, '/tags.html', { config: cfg({ region: 'DE' }), loopback: lb });
  const st = await get(page);
  assert.equal(st.region, 'DE');
  assert.equal(st.regime, 'opt-in');
  const reqs = await settleThenCount(lb, on(HOSTS.all));
  assert.equal(reqs.length, 0, listRequests(reqs));
  await context.close();
});

test('i. "regime": "regional" (#13): Tokyo and Los Angeles opt-out, London, Zurich and Paris opt-in, an unknown region opt-in', async () => {
  for (const [timezoneId, regime, region] of [['Asia/Tokyo', 'opt-out', 'JP'], ['America/Los_Angeles', 'opt-out', 'US'],
    ['Europe/London', 'opt-in', 'GB'], ['Europe/Zurich', 'opt-in', 'CH'], ['Europe/Paris', 'opt-in', 'FR'], ['UTC', 'opt-in', null]]) {
    env.loopback.reset();
    const context = await env.ctx({ timezoneId });
    const { page } = await open(context, '/tags.html', { config: cfg({ regime: 'regional' }), quiet: 0 });
    const st = await get(page);
    assert.deepEqual([st.regime, st.region], [regime, region], timezoneId);
    if (regime === 'opt-out') await expectGa4(env.loopback);
    else {
      const reqs = await settleThenCount(env.loopback, on(HOSTS.all));
      assert.equal(reqs.length, 0, `${timezoneId}: ${listRequests(reqs)}`);
    }
    await context.close();
  }
});

test('i. GPC in JP opt-out: ads (Meta) NOT loaded, analytics loaded, get().gpc === true', async (t) => {
  if (!env.supports.gpc) { t.skip(`${ENGINE} implements no Global Privacy Control: no visitor of it sends the signal`); return; }
  const lb = env.loopback;
  const context = await env.ctx({ timezoneId: 'Asia/Tokyo', gpc: true });
  const { page } = await open(context, '/tags.html', { config: cfg(), quiet: 0 });
  const st = await get(page);
  assert.equal(st.gpc, true);
  assert.equal(st.regime, 'opt-out');
  assert.equal(st.categories.ads, false, 'GPC opts out of ads');
  assert.equal(st.categories.analytics, true);
  await expectGa4(lb);
  const meta = await settleThenCount(lb, on([...HOSTS.meta, ...HOSTS.youtube]));
  assert.equal(meta.length, 0, `Meta / YouTube with GPC:\n  ${listRequests(meta)}`);
  await context.close();
});
