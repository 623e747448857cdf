#!/usr/bin/env node
// How fast the dispatcher's queue comes up with 300 open cases, how many
// bytes of scripts and styles a first visit costs, and the README's two
// screenshots. Against the release binary, started here the way run.sh starts
// the tests' server (free loopback port, fresh SQLite database, --demo):
//
//   cargo build --release -p gridops-api
//   (cd tests/console && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci)
//   node tests/console/measure.mjs
//
// Options: --bin PATH (default target/release/gridops), --url URL (use a
// running server started with --demo on a fresh database instead), --runs N
// (5), --cases N (300), --lang en|zh-CN (en; the screenshots' language),
// --no-screenshots, --console-dir DIR (serve the console from disk).
//
// What it does:
// 1. seeds the cases through the REST API in dispatcher.hanghaixilu's area
//    (Guanlan's four grids): residents' heating reports waiting for triage
//    (the same triage rule as the tests), some accepted, dispatched,
//    acknowledged and resolved by the heating company; sewer reports, street
//    vending waiting for the on-site check, patrol findings dispatched by the
//    demo's rules, hotline calls;
// 2. opens /console/queue?tab=all ("All open") in Chromium, signed in (the
//    session cookie, as after a reload), and times from the navigation's start
//    until the first 100 rows are in the table and until all of them are
//    (the queue reads 100 a page and loads on when its end scrolls into view;
//    the page scrolls it there like a user), median of N runs with an empty
//    cache (a new browser context each) and N reloads with a warm one;
// 3. adds up the scripts and styles of the first cold load from Resource
//    Timing: bytes on the wire, compressed bodies, uncompressed;
// 4. writes docs/console-queue.png and docs/console-case.png (1280×800).

import { chromium } from '@playwright/test';
import UPNG from 'upng-js';
import { existsSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { Api, DEMO_PASSWORD, GUANLAN_GRID, HEATING, HEATING_PARTY } from './lib/api.mjs';
import { startServer } from './lib/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

// ---- options ----------------------------------------------------------------
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}
const flag = (name) => process.argv.includes(`--${name}`);
const RUNS = Number(option('runs', 5));
const CASES = Number(option('cases', 300));
const LANG = option('lang', 'en');
const SCREENSHOTS = !flag('no-screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PAGE = 100; // the queue's page size (console/screens/queue.js)

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n) => `${Math.round(n)} ms`;
const pad = (s, n) => String(s).padEnd(n);
const padL = (s, n) => String(s).padStart(n);

/** Runs `fn` over `items` with at most `n` at once. */
async function pool(items, n, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

// ---- seeding ------------------------------------------------------------------
const GRIDS = ['410102003001001', '410102003001002', '410102003001003', '410102003001004'];
const pick = (xs, i) => xs[i % xs.length];

const TEXTS = {
  [HEATING]: [
    '{b}号楼{u}单元暖气不热，室温只有14度，家里有老人',
    '{b}号楼暖气片漏水，楼下已经渗水',
    '{b}号楼{u}单元整个单元没有暖气，已经两天了',
    '{b}号楼供暖管道半夜有很大的敲击声',
  ],
  'utilities.sewer_blockage': [
    '小区{g}门口下水道堵塞，污水漫到路面',
    '{b}号楼前雨水井盖下有异味，疑似堵塞',
    '{b}号楼化粪池外溢，味道很大',
  ],
  'city_appearance.street_vending': [
    '{b}号楼对面路口有流动摊贩占道经营，影响通行',
    '早市摊位摆到了机动车道上',
    '小区{g}门口夜间烧烤摊占用人行道',
  ],
  'social_aid.homeless': [
    '公交站有一名流浪人员，衣着单薄，需要救助',
    '地下通道内有老人露宿，天气很冷',
  ],
  'city_appearance.items_outside_shops': [
    '沿街{b}号商铺门口堆放货物占用人行道',
    '餐馆门外堆放泔水桶和杂物',
    '建材店门口长期堆放沙子和砖块',
  ],
  'social_aid.elderly_visit': [
    '12345转来：独居老人{b}号楼{u}单元王大爷需要上门走访',
    '12345转来：{b}号楼独居老人家中无人接电话，家属请求查看',
  ],
};
const GATES = ['东', '南', '西', '北'];
function text(category, i) {
  return pick(TEXTS[category], i)
    .replace('{b}', String(1 + ((i * 7) % 28)))
    .replace('{u}', String(1 + (i % 4)))
    .replace('{g}', pick(GATES, i));
}

/** A point inside `grid` (its bounding box shrunk to the middle 70 %). */
function pointIn(box, i) {
  const fx = 0.15 + 0.7 * (((i * 37) % 101) / 100);
  const fy = 0.15 + 0.7 * (((i * 61) % 103) / 102);
  return { type: 'Point', coordinates: [box.w + fx * (box.e - box.w), box.s + fy * (box.n - box.s)] };
}

async function gridBoxes(api, token) {
  const boxes = {};
  for (const code of GRIDS) {
    const f = await api.call('GET', `/areas/${code}/geometry`, { token });
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    const xs = ring.map((c) => c[0]);
    const ys = ring.map((c) => c[1]);
    boxes[code] = { w: Math.min(...xs), e: Math.max(...xs), s: Math.min(...ys), n: Math.max(...ys) };
  }
  return boxes;
}

/** The plan for `n` cases: [{who, category, grid, steps, hotline}], in proportions of 300. */
function plan(n) {
  const shares = [
    // residents' heating reports in grid 2: triage, then the lifecycle
    { share: 25, who: 'resident', category: HEATING, grids: [GUANLAN_GRID], steps: [] },
    { share: 20, who: 'resident', category: HEATING, grids: [GUANLAN_GRID], steps: ['accept'] },
    { share: 20, who: 'resident', category: HEATING, grids: [GUANLAN_GRID], steps: ['accept', 'dispatch'] },
    { share: 15, who: 'resident', category: HEATING, grids: [GUANLAN_GRID], steps: ['accept', 'dispatch', 'acknowledge'] },
    { share: 10, who: 'resident', category: HEATING, grids: [GUANLAN_GRID], steps: ['accept', 'dispatch', 'acknowledge', 'resolve'] },
    // no rule: they wait for the dispatchers
    { share: 30, who: 'resident', category: 'utilities.sewer_blockage', grids: GRIDS, steps: [] },
    { share: 15, who: 'resident', category: 'utilities.sewer_blockage', grids: GRIDS, steps: ['accept'] },
    // checked on site by the grid worker first
    { share: 45, who: 'resident', category: 'city_appearance.street_vending', grids: GRIDS, steps: [] },
    // patrol findings, dispatched at once by the demo's rules
    { share: 30, who: 'worker', category: 'social_aid.homeless', grids: GRIDS, steps: [] },
    { share: 45, who: 'worker', category: 'city_appearance.items_outside_shops', grids: GRIDS, steps: [] },
    // hotline calls entered by the dispatcher
    { share: 45, who: 'dispatcher', category: 'social_aid.elderly_visit', grids: GRIDS, steps: [], hotline: true },
  ];
  const out = [];
  let made = 0;
  shares.forEach((s, k) => {
    const count = k === shares.length - 1 ? n - made : Math.round((s.share * n) / 300);
    for (let i = 0; i < count; i++) out.push({ ...s, grid: pick(s.grids, i), i: out.length });
    made += count;
  });
  // Interleaved, as cases come in (a fixed shuffle: the same every run).
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, n).map((c, i) => ({ ...c, i }));
}

async function seed(api, n) {
  const t0 = Date.now();
  const admin = await api.login('admin');
  await api.ensureTriageRule(admin);
  const tokens = {
    dispatcher: await api.login('dispatcher.hanghaixilu'),
    worker: await api.login('worker.guanlan'),
    handler: await api.login('handler.heating'),
  };
  const residents = [];
  for (let i = 0; i < 6; i++) residents.push(await api.resident('measure'));
  const boxes = await gridBoxes(api, admin);

  const made = [];
  await pool(plan(n), 6, async (c) => {
    const token = c.who === 'resident' ? pick(residents, c.i).token : tokens[c.who];
    const body = {
      category: c.category,
      description: text(c.category, c.i),
      location: pointIn(boxes[c.grid], c.i),
      address: `观澜社区 ${1 + ((c.i * 7) % 28)}号楼`,
    };
    let inc = await api.call('POST', '/incidents', {
      token,
      body: c.hotline ? { ...body, hotline: true } : body,
      headers: { 'Idempotency-Key': `measure-${process.pid}-${c.i}` },
    });
    for (const step of c.steps) {
      const as = step === 'accept' || step === 'dispatch' ? tokens.dispatcher : tokens.handler;
      const stepBody = {
        accept: { note: null },
        dispatch: { party: HEATING_PARTY, assignee: null, note: null },
        acknowledge: { note: null },
        resolve: { result: '已更换阀门，暖气恢复正常', photos: [] },
      }[step];
      inc = await api.step(as, inc.id, step, stepBody, { ifMatch: inc.version });
    }
    made.push(inc);
  });

  // What the dispatcher sees.
  const open = await api.call('GET', '/incidents?status=reported,accepted,dispatched,in_progress,resolved&limit=500', {
    token: tokens.dispatcher,
  });
  const counts = await api.call('GET', '/incidents/queue-counts', { token: tokens.dispatcher });
  const by = (key) => {
    const m = {};
    for (const i of open.items) m[i[key]] = (m[i[key]] || 0) + 1;
    return Object.entries(m).map(([k, v]) => `${k} ${v}`).join(', ');
  };
  return { made, open: open.items, counts, seconds: (Date.now() - t0) / 1000, byStatus: by('status'), byCategory: by('category') };
}

// ---- the browser ----------------------------------------------------------------
/** In every page: the language, and a probe timing the queue's rows from the navigation's start. */
function probeScript({ lang, target, page, probe }) {
  try {
    localStorage.setItem('gridops.locale', lang);
  } catch {
    /* storage blocked */
  }
  if (!probe || !location.pathname.startsWith('/console/queue')) return;
  const p = { first: null, all: null, rows: 0, done: false };
  window.__queueProbe = p;
  let last = 0;
  const tick = () => {
    const n = document.querySelectorAll('.q-table tbody tr[data-id]').length;
    if (p.first === null && n >= Math.min(page, target)) p.first = performance.now();
    if (n >= target) {
      p.rows = n;
      p.all = performance.now();
      p.done = true;
      return;
    }
    // A user scrolling to the end of the list: the queue reads the next page
    // when its end comes into view (an IntersectionObserver). Not in the frame
    // in which new rows arrived: the observer must see the end leave the view
    // first, as it does while a person scrolls.
    if (n >= page && n === last) {
      const s = document.querySelector('.q-scroll');
      if (s) s.scrollTop = s.scrollHeight;
    }
    last = n;
    p.rows = n;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

async function newSignedInContext(browser, baseURL, target, probe = true) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'Asia/Shanghai' });
  await context.addInitScript(probeScript, { lang: LANG, target, page: PAGE, probe });
  const res = await context.request.post('/api/v1/auth/login', {
    data: { username: 'dispatcher.hanghaixilu', password: DEMO_PASSWORD, cookie: true },
  });
  if (res.status() !== 200) throw new Error(`console login: ${res.status()} ${await res.text()}`);
  return context;
}

async function timeQueue(page, load) {
  await load();
  try {
    const handle = await page.waitForFunction(() => window.__queueProbe && window.__queueProbe.done && window.__queueProbe, null, {
      timeout: 60_000,
      polling: 100,
    });
    return await handle.jsonValue();
  } catch (e) {
    const state = await page.evaluate(() => ({ url: location.href, probe: window.__queueProbe, text: document.body.innerText.slice(0, 400) })).catch(() => null);
    await page.screenshot({ path: join(process.env.TMPDIR || '/tmp', 'gridops-measure-timeout.png') }).catch(() => {});
    throw new Error(`the queue did not show its rows: ${JSON.stringify(state)}`, { cause: e });
  }
}

/** Scripts, styles and the rest of the current document's loads (Resource Timing). */
async function loads(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const all = [nav, ...performance.getEntriesByType('resource')].map((e) => ({
      url: e.name,
      type: e.entryType === 'navigation' ? 'document' : e.initiatorType,
      transfer: e.transferSize,
      encoded: e.encodedBodySize,
      decoded: e.decodedBodySize,
    }));
    return all;
  });
}

function classify(entries) {
  const groups = { scripts: [], styles: [], document: [], api: [], other: [] };
  for (const e of entries) {
    const path = new URL(e.url).pathname;
    if (e.type === 'document') groups.document.push(e);
    else if (path.startsWith('/api/')) groups.api.push(e);
    else if (path.endsWith('.js')) groups.scripts.push(e);
    else if (path.endsWith('.css')) groups.styles.push(e);
    else groups.other.push(e);
  }
  const sum = (xs) => xs.reduce((t, e) => ({ n: t.n + 1, transfer: t.transfer + e.transfer, encoded: t.encoded + e.encoded, decoded: t.decoded + e.decoded }), { n: 0, transfer: 0, encoded: 0, decoded: 0 });
  return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, { ...sum(v), files: v }]));
}

/** A screenshot as a 256-colour PNG (the same look, a third of the bytes). */
async function screenshot(page, path) {
  await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());
  const png = await page.screenshot({ type: 'png' });
  const img = UPNG.decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength));
  const small = Buffer.from(UPNG.encode(UPNG.toRGBA8(img), img.width, img.height, 256));
  writeFileSync(path, small);
  return { width: img.width, height: img.height, bytes: small.length, raw: png.length };
}

// ---- main -----------------------------------------------------------------------
async function main() {
  let server = null;
  let baseURL = option('url');
  let binary = null;
  if (!baseURL) {
    binary = resolve(root, option('bin', 'target/release/gridops'));
    if (!existsSync(binary)) throw new Error(`${binary} is missing: cargo build --release -p gridops-api (or --bin PATH / --url URL)`);
    const dir = option('console-dir');
    server = await startServer(binary, { extraArgs: dir ? ['--console-dir', resolve(dir)] : [] });
    baseURL = server.url;
  }
  let browser = null;
  try {
    const api = new Api(baseURL);
    const version = binary ? execFileSync(binary, ['--version']).toString().trim() : baseURL;
    console.log(`gridops console measurement — ${version}${binary ? ` (${binary.replace(`${root}/`, '')}, built ${statSync(binary).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC)` : ''}`);
    console.log(`server ${baseURL}; Chromium ${CHROMIUM}; ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC`);

    const s = await seed(api, CASES);
    console.log(`\nseeded ${s.made.length} cases through the API in ${s.seconds.toFixed(1)} s; the dispatcher (410102003) sees ${s.open.length} open:`);
    console.log(`  by status:   ${s.byStatus}`);
    console.log(`  by category: ${s.byCategory}`);
    console.log(`  queue tabs:  ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const target = s.open.length;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'],
    });
    console.log(`  browser:     Chromium ${browser.version()}`);
    const url = '/console/queue?tab=all';

    const cold = [];
    const warm = [];
    let firstLoad = null;
    for (let run = 0; run < RUNS; run++) {
      const context = await newSignedInContext(browser, baseURL, target);
      const page = await context.newPage();
      cold.push(await timeQueue(page, () => page.goto(url, { waitUntil: 'commit' })));
      if (run === 0) firstLoad = classify(await loads(page));
      warm.push(await timeQueue(page, () => page.reload({ waitUntil: 'commit' })));
      await context.close();
    }
    const line = (label, xs, key) => `  ${pad(label, 34)}${padL(ms(median(xs.map((x) => x[key]))), 8)}   (runs: ${xs.map((x) => Math.round(x[key])).join(', ')})`;
    console.log(`\nqueue "All open" (${url}), ${target} rows, ${PAGE} a page, from the navigation's start; median of ${RUNS}:`);
    console.log(`  cold (empty cache, new context):`);
    console.log(line(`  first ${Math.min(PAGE, target)} rows in the table`, cold, 'first'));
    console.log(line(`  all ${target} rows rendered`, cold, 'all'));
    console.log(`  warm (reload, cache kept):`);
    console.log(line(`  first ${Math.min(PAGE, target)} rows in the table`, warm, 'first'));
    console.log(line(`  all ${target} rows rendered`, warm, 'all'));

    const f = firstLoad;
    const row = (label, g) => `  ${pad(label, 10)}${padL(g.n, 3)} files  ${padL(kb(g.transfer), 10)} transferred  ${padL(kb(g.encoded), 10)} compressed bodies  ${padL(kb(g.decoded), 10)} uncompressed`;
    const both = { n: f.scripts.n + f.styles.n, transfer: f.scripts.transfer + f.styles.transfer, encoded: f.scripts.encoded + f.styles.encoded, decoded: f.scripts.decoded + f.styles.decoded };
    console.log(`\nfirst (cold) load of the queue, Resource Timing (transferred = on the wire with headers):`);
    console.log(row('scripts', f.scripts));
    console.log(row('styles', f.styles));
    console.log(row('together', both));
    console.log(row('page', f.document));
    if (f.other.n) console.log(row('other', f.other));
    console.log(row('API', f.api));
    if (flag('verbose')) {
      for (const e of [...f.scripts.files, ...f.styles.files].sort((a, b) => b.decoded - a.decoded)) {
        console.log(`    ${pad(new URL(e.url).pathname, 58)}${padL(kb(e.encoded), 10)} ${padL(kb(e.decoded), 10)}`);
      }
    }

    if (SCREENSHOTS) {
      const docs = join(root, 'docs');
      mkdirSync(docs, { recursive: true });
      const context = await newSignedInContext(browser, baseURL, target, false);
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => document.querySelectorAll('.q-table tbody tr[data-id]').length >= 20);
      await page.locator('.live.open').waitFor();
      const shots = [];
      const queuePng = join(docs, 'console-queue.png');
      shots.push([queuePng, await screenshot(page, queuePng)]);

      // A case with a history (acknowledged by the heating company), among the newest.
      const newest = [...s.open].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id)).slice(0, 25);
      const one = newest.find((i) => i.status === 'in_progress') || newest.find((i) => i.status === 'dispatched') || newest[0];
      await page.goto(`/console/cases/${one.id}?tab=all`);
      const view = page.getByRole('article', { name: one.reference });
      await view.locator('.case-head-top .badge').first().waitFor();
      await view.locator('.leaflet-container').first().waitFor({ timeout: 10_000 }).catch(() => {});
      await page.waitForFunction(() => !document.querySelector('.case-view .loading-bar, .q-list .loading-bar'));
      await page.locator(`tr[data-id="${one.id}"]`).scrollIntoViewIfNeeded({ timeout: 10_000 }).catch(() => {});
      const casePng = join(docs, 'console-case.png');
      shots.push([casePng, await screenshot(page, casePng)]);
      await context.close();
      console.log(`\nscreenshots (${LANG}, 256 colours):`);
      for (const [p, r] of shots) {
        console.log(`  ${pad(p.replace(`${root}/`, ''), 26)} ${r.width}×${r.height}  ${padL(kb(r.bytes), 9)}  (${kb(r.raw)} as Chromium wrote it)`);
      }
    }
  } finally {
    if (browser) await browser.close();
    if (server) await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
