// Generates TensorFlow.js reference ("golden") outputs for the semblend C++
// inference engine tests.
//
//   cd tools/reference && npm ci && node make_goldens.mjs
//
// For each of the six TF.js graph models in third_party/npm/human-models/models
// it builds a deterministic input (xorshift32, see describeGenerator() below),
// runs the model once with the pure-JS CPU backend of @tensorflow/tfjs and
// writes tests/golden/engine/<model>.json.
//
// Options (all optional):
//   --models-dir DIR   model directory (default: <repo>/third_party/npm/human-models/models)
//   --out-dir DIR      output directory (default: <repo>/tests/golden/engine)
//   --only NAME[,NAME] only these models

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

const MODELS = [
  { name: 'blazeface-front', shape: [1, 128, 128, 3], seed: 1, range: [-1, 1] },
  { name: 'blazeface-back', shape: [1, 256, 256, 3], seed: 2, range: [-1, 1] },
  { name: 'facemesh-detection-short', shape: [1, 128, 128, 3], seed: 3, range: [-1, 1] },
  { name: 'facemesh', shape: [1, 192, 192, 3], seed: 4, range: [0, 1] },
  { name: 'iris', shape: [1, 64, 64, 3], seed: 5, range: [0, 1] },
  { name: 'facemesh-attention', shape: [1, 192, 192, 3], seed: 6, range: [0, 1] },
];

const MAX_STORED = 2000;     // outputs with more elements are subsampled
const SIG_DIGITS = 7;        // stored values are rounded to this many significant digits

function parseArgs(argv) {
  const args = {
    modelsDir: path.join(REPO, 'third_party', 'npm', 'human-models', 'models'),
    outDir: path.join(REPO, 'tests', 'golden', 'engine'),
    only: null,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--models-dir') args.modelsDir = path.resolve(argv[++i]);
    else if (a === '--out-dir') args.outDir = path.resolve(argv[++i]);
    else if (a === '--only') args.only = argv[++i].split(',');
    else throw new Error(`unknown argument: ${a}`);
  }
  return args;
}

// ---------------------------------------------------------------------------
// Deterministic input: xorshift32 (shifts 13, 17, 5)
// ---------------------------------------------------------------------------

const GENERATOR_DESCRIPTION = [
  'xorshift32 with shifts (13, 17, 5) on a uint32 state x, initialised to the per-model seed.',
  'For each input element i = 0 .. N-1 in row-major NHWC order (batch 1):',
  '  x ^= x << 13;  x ^= x >> 17;  x ^= x << 5;   (all uint32 arithmetic, logical shifts, wrap mod 2^32)',
  '  u = (double)x / 4294967296.0;                 (a double in [0, 1); the state is advanced BEFORE the first use)',
  '  value[i] = (float)(lo + (hi - lo) * u);       (computed in double, then rounded to nearest float32)',
  'JS reference: x ^= (x << 13) >>> 0; x >>>= 0; x ^= x >>> 17; x ^= (x << 5) >>> 0; x >>>= 0;',
  '              value = Math.fround(lo + (hi - lo) * (x / 4294967296)).',
].join('\n');

function makeInput(n, seed, lo, hi) {
  const out = new Float32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= (x << 13) >>> 0; x >>>= 0;
    x ^= x >>> 17;
    x ^= (x << 5) >>> 0; x >>>= 0;
    const u = x / 4294967296;
    out[i] = Math.fround(lo + (hi - lo) * u);
  }
  return out;
}

// Worked example for the README / golden files: the first 3 states and values for seed 1, [-1, 1].
function workedExample(seed, lo, hi, count = 3) {
  const rows = [];
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x ^= (x << 13) >>> 0; x >>>= 0;
    x ^= x >>> 17;
    x ^= (x << 5) >>> 0; x >>>= 0;
    const u = x / 4294967296;
    const v = Math.fround(lo + (hi - lo) * u);
    rows.push({ i, x, u, value: v, float_bits: floatBitsHex(v) });
  }
  return rows;
}

function floatBitsHex(v) {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v, false);
  return '0x' + b.getUint32(0, false).toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------
// Model loading without fetch
// ---------------------------------------------------------------------------

function loadArtifacts(modelsDir, name) {
  const jsonPath = path.join(modelsDir, `${name}.json`);
  const model = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  if (model.format !== 'graph-model') {
    throw new Error(`${jsonPath}: expected format graph-model, got ${model.format}`);
  }
  const weightSpecs = [];
  const buffers = [];
  for (const group of model.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(modelsDir, p)));
  }
  const total = Buffer.concat(buffers);
  const weightData = total.buffer.slice(total.byteOffset, total.byteOffset + total.byteLength);
  const artifacts = {
    modelTopology: model.modelTopology,
    weightSpecs,
    weightData,
    format: model.format,
    generatedBy: model.generatedBy,
    convertedBy: model.convertedBy,
  };
  if (model.signature) artifacts.signature = model.signature;
  if (model.userDefinedMetadata) artifacts.userDefinedMetadata = model.userDefinedMetadata;
  return { json: model, artifacts };
}

// Output nodes: every Identity node that nothing else consumes (the graph's
// outputs), sorted Identity, Identity_1, Identity_2, ...
function findOutputNodes(topology) {
  const nodes = topology.node;
  const consumed = new Set();
  for (const n of nodes) {
    for (const inp of n.input || []) consumed.add(inp.replace(/^\^/, '').split(':')[0]);
  }
  const outs = nodes.filter((n) => !consumed.has(n.name) && n.op !== 'Const');
  const suffix = (s) => { const m = /_(\d+)$/.exec(s); return m ? Number(m[1]) : 0; };
  outs.sort((a, b) => (a.name.split('_')[0] === b.name.split('_')[0] ? suffix(a.name) - suffix(b.name) : a.name.localeCompare(b.name)));
  return outs.map((n) => ({ name: n.name, op: n.op, source: (n.input || [])[0] || null }));
}

function findInputNode(topology) {
  const ph = topology.node.filter((n) => n.op === 'Placeholder');
  if (ph.length !== 1) throw new Error(`expected exactly one Placeholder, found ${ph.length}`);
  return ph[0].name;
}

// Signature name for each output node (facemesh / facemesh-detection-short have
// a top-level "signature"; blazeface / iris only userDefinedMetadata.signature
// whose keys are just the node names).
function signatureNames(json) {
  const map = {};
  const sig = json.signature || (json.userDefinedMetadata && json.userDefinedMetadata.signature);
  if (!sig || !sig.outputs) return map;
  for (const [key, spec] of Object.entries(sig.outputs)) {
    const node = String(spec.name || key).split(':')[0];
    if (key.split(':')[0] !== node) map[node] = key;
  }
  return map;
}

// ---------------------------------------------------------------------------
// Output summarisation
// ---------------------------------------------------------------------------

function round(v) {
  if (!Number.isFinite(v)) return String(v);  // should not happen; keeps JSON valid
  const r = Number(v.toPrecision(SIG_DIGITS));
  return Object.is(r, -0) ? 0 : r;
}

function summarise(data, shape) {
  const n = data.length;
  const stride = n > MAX_STORED ? Math.ceil(n / MAX_STORED) : 1;
  let sum = 0;
  let absSum = 0;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) { nonFinite++; continue; }
    sum += v;
    absSum += Math.abs(v);
  }
  const values = [];
  for (let i = 0; i < n; i += stride) values.push(round(data[i]));
  const out = { shape, stride, count: n, stored: values.length, sum, abs_sum: absSum };
  if (nonFinite) out.non_finite = nonFinite;
  out.values = values;
  return out;
}

// JSON with indentation, but numeric arrays packed several per line.
function toJson(obj) {
  const placeholders = [];
  const text = JSON.stringify(obj, (key, value) => {
    if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
      placeholders.push(value);
      return `@@ARRAY${placeholders.length - 1}@@`;
    }
    return value;
  }, 2);
  return text.replace(/( *)"[^"\n]*": "@@ARRAY(\d+)@@"|"@@ARRAY(\d+)@@"/g, (match, indent, idxA, idxB) => {
    const arr = placeholders[Number(idxA ?? idxB)];
    const head = match.slice(0, match.indexOf('"@@ARRAY'));
    if (arr.length <= 12) return head + '[' + arr.map((v) => JSON.stringify(v)).join(', ') + ']';
    const pad = (indent || '') + '  ';
    const lines = [];
    for (let i = 0; i < arr.length; i += 10) {
      lines.push(pad + arr.slice(i, i + 10).map((v) => JSON.stringify(v)).join(', '));
    }
    return head + '[\n' + lines.join(',\n') + '\n' + (indent || '') + ']';
  }) + '\n';
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function runModel(cfg, args) {
  const { json, artifacts } = loadArtifacts(args.modelsDir, cfg.name);
  const handler = tf.io.fromMemory(artifacts);
  const model = await tf.loadGraphModel(handler);

  const inputName = findInputNode(json.modelTopology);
  const outputs = findOutputNodes(json.modelTopology);
  const outputNames = outputs.map((o) => o.name);
  const sigNames = signatureNames(json);

  const n = cfg.shape.reduce((a, b) => a * b, 1);
  const [lo, hi] = cfg.range;
  const inputData = makeInput(n, cfg.seed, lo, hi);
  const input = tf.tensor(inputData, cfg.shape, 'float32');

  let mode = 'execute';
  const run = async () => {
    try {
      const r = model.execute({ [inputName]: input }, outputNames);
      return Array.isArray(r) ? r : [r];
    } catch (e) {
      if (!/executeAsync/.test(String(e && e.message))) throw e;
      mode = 'executeAsync';
      const r = await model.executeAsync({ [inputName]: input }, outputNames);
      return Array.isArray(r) ? r : [r];
    }
  };

  const t0 = performance.now();
  const results = await run();
  const datas = results.map((t) => t.dataSync());
  const firstMs = performance.now() - t0;

  // A second (warm) run, for timing only; also checks determinism.
  const t1 = performance.now();
  const results2 = await run();
  const datas2 = results2.map((t) => t.dataSync());
  const secondMs = performance.now() - t1;
  let deterministic = true;
  for (let k = 0; k < datas.length; k++) {
    for (let i = 0; i < datas[k].length; i++) {
      if (!Object.is(datas[k][i], datas2[k][i])) { deterministic = false; break; }
    }
  }

  const golden = {
    model: cfg.name,
    tfjs_version: tf.version.tfjs,
    backend: tf.getBackend(),
    run_mode: mode,
    input: {
      name: inputName,
      shape: cfg.shape,
      dtype: 'float32',
      seed: cfg.seed,
      range: cfg.range,
      first_values: Array.from(inputData.slice(0, 3)),
      first_values_float_bits: Array.from(inputData.slice(0, 3)).map(floatBitsHex),
      sum: inputData.reduce((a, b) => a + b, 0),
      generator: GENERATOR_DESCRIPTION,
      generator_example_seed1: {
        note: 'first 3 outputs for seed 1 and range [-1, 1] (x = state after advancing)',
        steps: workedExample(1, -1, 1),
      },
    },
    notes: [
      `values are rounded to ${SIG_DIGITS} significant digits; values[j] is element j*stride of the flattened (row-major) output`,
      'sum and abs_sum are over the full float32 output, accumulated in double in index order, not rounded',
    ],
    outputs: {},
  };

  const summary = [];
  results.forEach((t, k) => {
    const o = outputs[k];
    const entry = {};
    if (sigNames[o.name]) entry.signature_name = sigNames[o.name];
    entry.source = o.source;
    entry.dtype = t.dtype;
    Object.assign(entry, summarise(datas[k], t.shape));
    golden.outputs[o.name] = entry;
    summary.push(`${o.name}${sigNames[o.name] ? ` (${sigNames[o.name]})` : ''} ${JSON.stringify(t.shape)} ${t.dtype} <- ${o.source}`);
  });

  fs.mkdirSync(args.outDir, { recursive: true });
  const outPath = path.join(args.outDir, `${cfg.name}.json`);
  const text = toJson(golden);
  fs.writeFileSync(outPath, text);

  tf.dispose([input, ...results, ...results2]);
  model.dispose();

  console.log(`${cfg.name}: ${mode}, first run ${firstMs.toFixed(1)} ms, second run ${secondMs.toFixed(1)} ms, ` +
    `deterministic=${deterministic}, wrote ${path.relative(REPO, outPath)} (${(text.length / 1024).toFixed(1)} KiB)`);
  for (const s of summary) console.log(`    ${s}`);
  if (!deterministic) throw new Error(`${cfg.name}: two runs gave different outputs`);
}

async function main() {
  const args = parseArgs(process.argv);
  await tf.setBackend('cpu');
  await tf.ready();
  console.log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}`);
  console.log('generator example (seed 1, [-1, 1]):', JSON.stringify(workedExample(1, -1, 1)));
  for (const cfg of MODELS) {
    if (args.only && !args.only.includes(cfg.name)) continue;
    await runModel(cfg, args);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
