// The judging page of `semblend serve` (docs/serve.md): shows a photo beside two renders of the
// rig that differ in one region, and stores which one matches better through the JSON API
// (/api/v1). Plain JavaScript, no framework, no third-party code.
'use strict';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// The session token (needed when the server is reachable beyond this machine) comes in the URL
// the server printed; it is kept for this tab only and removed from the address bar.
if (params.has('token')) {
  sessionStorage.setItem('semblend-token', params.get('token'));
  params.delete('token');
  history.replaceState(null, '', location.pathname + (params.toString() ? '?' + params : ''));
}
const token = sessionStorage.getItem('semblend-token') || '';

const state = {
  annotator: params.get('annotator') || localStorage.getItem('semblend-annotator') || '',
  pair: null,
  shownAt: 0,
  busy: false,
  history: [],  // ids of this session's judgments, newest last (for undo)
};

function key() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

function say(text, isError = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', isError);
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (options.method === 'POST' && token) headers['X-Semblend-Token'] = token;
  const res = await fetch('/api/v1' + path, Object.assign({}, options, { headers }));
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((body.error && body.error.message) || res.status + ' ' + res.statusText);
  return body;
}

async function post(path, data, tries = 3) {
  // The same client key on every try: the server stores a judgment once however often it arrives.
  for (let i = 1; ; i++) {
    try {
      return await api(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(data),
      });
    } catch (e) {
      if (i >= tries || !(e instanceof TypeError)) throw e;  // retry network failures only
      await new Promise((r) => setTimeout(r, 300 * i));
    }
  }
}

function setProgress(p) {
  if (!p) return;
  $('progress-text').textContent = p.judged + ' / ' + p.total;
  $('progress-fill').style.width = (p.total ? (100 * p.judged) / p.total : 0) + '%';
}

function loaded(img) {
  return img.complete && img.naturalWidth ? Promise.resolve()
    : new Promise((r) => { img.onload = r; img.onerror = r; });
}

async function show(pair) {
  state.pair = pair;
  document.querySelectorAll('.card').forEach((c) => c.classList.remove('chosen'));
  $('judge').hidden = !pair;
  $('done').hidden = !!pair;
  if (!pair) { say(''); return; }
  $('question').textContent = pair.region.question;
  $('source').textContent = pair.item.source;
  $('photo').src = pair.item.image_url;
  $('img-a').src = pair.a.image_url;
  $('img-b').src = pair.b.image_url;
  const [x, y, w, h] = pair.region.box || [0, 0, 1, 1];
  document.querySelectorAll('.box').forEach((b) => {
    Object.assign(b.style, { left: 100 * x + '%', top: 100 * y + '%', width: 100 * w + '%', height: 100 * h + '%' });
  });
  await Promise.all([$('photo'), $('img-a'), $('img-b')].map(loaded));
  state.shownAt = performance.now();
  document.body.dataset.pair = pair.pair_id;  // for tests: the pair on screen
}

async function next() {
  const q = new URLSearchParams();
  if (state.annotator) q.set('annotator', state.annotator);
  if (params.has('item')) q.set('item', params.get('item'));  // judge one photo only
  const r = await api('/next?' + q);
  setProgress(r.progress);
  await show(r.pair);
}

async function judge(choice) {
  if (state.busy || !state.pair) return;
  if (!state.annotator) { say('Enter your name first.', true); $('annotator').focus(); return; }
  state.busy = true;
  const card = choice === 'a' ? $('card-a') : choice === 'b' ? $('card-b') : null;
  if (card) card.classList.add('chosen');
  try {
    const r = await post('/judgments', {
      annotator: state.annotator,
      pair_id: state.pair.pair_id,
      choice,
      latency_ms: Math.max(0, Math.round(performance.now() - state.shownAt)),
      client_key: key(),
    });
    state.history.push(r.judgment.id);
    say(({ a: 'A', b: 'B', tie: 'Same', skip: 'Skipped' })[choice] + ' — saved.');
    await next();
    document.body.dataset.judged = state.history.length;  // for tests: saved and the next shown
  } catch (e) {
    say('Not saved: ' + e.message, true);
    if (card) card.classList.remove('chosen');
  } finally {
    state.busy = false;
  }
}

async function undo() {
  if (state.busy) return;
  const id = state.history.pop();
  if (id === undefined) { say('Nothing to undo in this session.'); return; }
  state.busy = true;
  try {
    const r = await post('/judgments/' + id + '/undo', { annotator: state.annotator });
    setProgress(r.progress);
    await show(r.pair);
    document.body.dataset.judged = state.history.length;
    say('Undone — judge this pair again.');
  } catch (e) {
    state.history.push(id);
    say('Undo failed: ' + e.message, true);
  } finally {
    state.busy = false;
  }
}

const keys = {
  a: 'a', arrowleft: 'a', b: 'b', arrowright: 'b', t: 'tie', '=': 'tie', s: 'skip', ' ': 'skip',
};

document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.altKey || e.metaKey) return;
  const k = e.key.toLowerCase();
  if (k === 'u' || k === 'backspace' || (e.ctrlKey && k === 'z')) { e.preventDefault(); undo(); return; }
  if (e.ctrlKey) return;
  if (keys[k]) { e.preventDefault(); judge(keys[k]); }
});

document.querySelectorAll('[data-choice]').forEach((el) => {
  el.addEventListener('click', () => judge(el.dataset.choice));
});
$('undo').addEventListener('click', undo);
$('undo-done').addEventListener('click', undo);

$('annotator').value = state.annotator;
$('annotator').addEventListener('change', () => {
  state.annotator = $('annotator').value.trim().slice(0, 64);
  localStorage.setItem('semblend-annotator', state.annotator);
  state.history = [];
  next().catch((e) => say(e.message, true));
});
$('annotator').addEventListener('keydown', (e) => { if (e.key === 'Enter') e.target.blur(); });

$('file').addEventListener('change', async () => {
  const f = $('file').files[0];
  if (!f) return;
  say('Adding ' + f.name + ' (finding the face, solving, making pairs)…');
  try {
    const r = await api('/items?name=' + encodeURIComponent(f.name), {
      method: 'POST', headers: { 'Content-Type': f.type || 'application/octet-stream' }, body: f,
    });
    say(r.existed ? f.name + ' was already here.' : f.name + ': ' + r.pairs + ' new pairs.');
    if (!state.pair) await next();
    else api('/progress?annotator=' + encodeURIComponent(state.annotator)).then(setProgress);
  } catch (e) {
    say(f.name + ': ' + e.message, true);
  }
  $('file').value = '';
});

if (!state.annotator) say('Enter your name to start.');
next().then(() => { document.body.dataset.ready = '1'; }).catch((e) => say(e.message, true));
