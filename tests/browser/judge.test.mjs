// The judging page in a real browser: Debian's headless Chromium driven by playwright-core
// (third_party/npm, pinned by scripts/setup.sh; no browser is ever downloaded). Starts
// `semblend serve` on a free loopback port with a temporary store and a folder of images rendered
// by `semblend render`, uploads a real photo through the page when ../shared/data has one, judges
// with the keyboard (A, B, T, S, U, B), and checks through the API that exactly those judgments
// are stored, the skipped one undone. Then kills the server with SIGKILL and checks the export of
// the store still holds every acknowledged judgment.
//
//   node tests/browser/judge.test.mjs build/release/bin/semblend
//   SEMBLEND_SCREENSHOTS=docs node tests/browser/judge.test.mjs ...   # also writes screenshots
// Exit 77 (CTest: skipped) when Chromium or playwright-core is missing.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.resolve(process.argv[2] || path.join(root, 'build/release/bin/semblend'));
const chromium = process.env.SEMBLEND_CHROMIUM || '/usr/bin/chromium';
const pwDir = path.join(root, 'third_party/npm/playwright-core');
if (!fs.existsSync(chromium) || !fs.existsSync(path.join(pwDir, 'package.json'))) {
  console.log(`skipped: needs ${chromium} and ${pwDir} (scripts/setup.sh)`);
  process.exit(77);
}
const { chromium: launcher } = createRequire(import.meta.url)(pwDir);

function check(ok, what) {
  if (!ok) throw new Error('check failed: ' + what);
  console.log('ok: ' + what);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'semblend-judge-'));
const images = path.join(tmp, 'images');
fs.mkdirSync(images);
execFileSync(cli, ['render', '-o', path.join(images, 'smile.png'), '--size', '384', '--yaw', '12',
  '--set', 'mouthSmileLeft=0.8,mouthSmileRight=0.6,cheekSquintLeft=0.4,browInnerUp=0.3'], { stdio: 'ignore' });
execFileSync(cli, ['render', '-o', path.join(images, 'surprise.png'), '--size', '384', '--skin', 'tan',
  '--set', 'jawOpen=0.5,browInnerUp=0.8,eyeWideLeft=0.6,eyeWideRight=0.6'], { stdio: 'ignore' });

function startServer() {
  const server = spawn(cli, ['serve', '--port', '0', '--data', path.join(tmp, 'data'), '--images', images],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  const url = new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
    server.on('exit', (code) => reject(new Error(`semblend serve exited (${code}): ${log}`)));
    setTimeout(() => reject(new Error('semblend serve did not start in 60 s: ' + log)), 60000);
  });
  return { server, url };
}

const { server, url: urlPromise } = startServer();
let browser;
let exitCode = 0;
try {
  const url = await urlPromise;
  console.log('serving ' + url);
  const api = async (p) => (await fetch(new URL('/api/v1' + p, url))).json();
  browser = await launcher.launch({ executablePath: chromium, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  // A real photo, uploaded through the page (shared test data is read, never copied). Screenshots
  // for docs/ leave it out and show rig renders: the project ships no third-party image.
  const shots = process.env.SEMBLEND_SCREENSHOTS;
  const photo = path.join(root, '../shared/data/faces/faceapi_happy.jpg');
  let item = null;
  await page.goto(url + '?annotator=browser-test');
  await page.waitForSelector('body[data-ready="1"]');
  if (!shots && fs.existsSync(photo)) {
    await page.setInputFiles('#file', photo);
    await page.waitForFunction(() => /new pairs|already here/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
    const items = (await api('/items')).items;
    item = items.find((i) => i.source === 'upload:faceapi_happy.jpg');
    check(item && item.pairs > 0, `upload through the page: item ${item && item.id} with ${item && item.pairs} pairs`);
  }
  const start = url + '?annotator=browser-test' + (item ? '&item=' + item.id : '');
  await page.goto(start);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForFunction(() => document.body.dataset.pair);
  if (shots) await page.screenshot({ path: path.join(shots, 'serve_judge.png') });

  const judged = (n) => page.waitForFunction((k) => document.body.dataset.judged === String(k), n, { timeout: 10000 })
    .catch(async (e) => { throw new Error(e.message + "; status: " + await page.textContent("#status")); });
  const onScreen = async () => Number(await page.evaluate(() => document.body.dataset.pair));
  const seen = [];
  for (const [key, n] of [['a', 1], ['b', 2], ['t', 3], ['s', 4]]) {
    seen.push(await onScreen());
    await page.waitForTimeout(120);  // a human-ish latency
    await page.keyboard.press(key);
    await judged(n);
  }
  await page.keyboard.press('u');  // undo the skip: its pair comes back
  await judged(3);
  await page.waitForFunction((p) => document.body.dataset.pair === String(p), seen[3]);
  check(true, 'undo shows the undone pair again');
  await page.waitForTimeout(120);
  await page.keyboard.press('b');
  await judged(4);
  if (shots) {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await phone.goto(start.replace('browser-test', 'phone'));
    await phone.waitForSelector('body[data-ready="1"]');
    await phone.waitForFunction(() => document.body.dataset.pair);
    await phone.screenshot({ path: path.join(shots, 'serve_judge_phone.png') });
  }

  const stored = (await api('/judgments?annotator=browser-test')).judgments;
  const choices = stored.map((j) => j.choice + (j.undone ? '(undone)' : '')).join(',');
  check(choices === 'a,b,tie,skip(undone),b', 'stored judgments in order: ' + choices);
  check(stored.map((j) => j.pair_id).join() === [...seen, seen[3]].join(), 'each judgment is of the pair on screen');
  check(stored.every((j) => j.latency_ms >= 100 && j.latency_ms < 60000), 'latencies recorded: ' + stored.map((j) => j.latency_ms).join(','));
  check((await api('/progress?annotator=browser-test')).judged === 4, 'progress counts 4 judged pairs');
  check(errors.length === 0, 'no errors in the page: ' + errors.join('; '));

  // A killed server loses nothing it acknowledged.
  server.kill('SIGKILL');
  await new Promise((r) => server.once('exit', r));
  const exported = path.join(tmp, 'export.jsonl');
  execFileSync(cli, ['serve', '--data', path.join(tmp, 'data'), '--export', exported, '--no-export-images'], { stdio: 'ignore' });
  const lines = fs.readFileSync(exported, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const kept = lines.filter((l) => l.type === 'judgment');
  check(kept.length === 5 && kept.filter((j) => j.undone).length === 1, 'after kill -9 the export holds all 5 judgments');
} catch (e) {
  console.error('FAILED: ' + (e.stack || e));
  exitCode = 1;
} finally {
  if (browser) await browser.close();
  if (server.exitCode === null) server.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);
