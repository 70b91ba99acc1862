#!/usr/bin/env node
// Generates the C++ face-mesh topology tables behind include/semblend/topology.h from the npm
// package @mediapipe/face_mesh, so that MediaPipe's landmark index sets are never retyped by hand.
//
//   node tools/gen_face_mesh_topology.mjs PACKAGE_DIR OUTPUT_CPP [PINS_FILE]
//
// PACKAGE_DIR is third_party/npm/face_mesh (installed and checksum-verified by scripts/setup.sh):
// package.json, face_mesh.js (the solution's Closure-compiled bundle) and index.d.ts (its type
// declarations). PINS_FILE (third_party/npm-packages.txt), when given, must pin the same version as
// package.json — otherwise the installed package is stale and the user must rerun setup.
//
// The bundle is never executed (it is browser code that fetches WASM and assets); it is parsed as
// text. In the bundle every constant is exported as `H("FACEMESH_LIPS",Ed)` (H is the minified
// export helper), where the value is either an array literal of [a,b] integer pairs or a minified
// identifier defined exactly once as such a literal or as `[].concat(D(Ed),D(Fd),...)` (D: the
// array-spread helper, checked to be one). Anything else is an error, never a guess. The exported
// names must be exactly those index.d.ts declares.
//
// Checks before writing: every required set is present, every index is < 478, no edge is a
// self-loop, and FACEMESH_TESSELATION is a list of closed triangles (edges a→b, b→c, c→a in
// consecutive threes) with a consistent orientation (no directed edge twice) and at most two
// triangles per edge. The output is written atomically (temp file + rename); on any failure the
// script exits 1 with a message naming the problem and writes nothing.
import fs from 'node:fs';
import path from 'node:path';

const PACKAGE_NAME = '@mediapipe/face_mesh';
const BUNDLE = 'face_mesh.js';
const MAX_INDEX = 478;  // 468 face landmarks + 10 iris landmarks

// Sets semblend exposes: FaceMeshSet enumerator -> the package's constant. NOSE is optional (newer
// MediaPipe releases have FACEMESH_NOSE; if this package gained it, topology.h would need the
// enumerator, so the generator then stops and says so).
const REQUIRED = [
  ['Tesselation', 'FACEMESH_TESSELATION'],
  ['Contours', 'FACEMESH_CONTOURS'],
  ['Lips', 'FACEMESH_LIPS'],
  ['LeftEye', 'FACEMESH_LEFT_EYE'],
  ['RightEye', 'FACEMESH_RIGHT_EYE'],
  ['LeftEyebrow', 'FACEMESH_LEFT_EYEBROW'],
  ['RightEyebrow', 'FACEMESH_RIGHT_EYEBROW'],
  ['FaceOval', 'FACEMESH_FACE_OVAL'],
  ['LeftIris', 'FACEMESH_LEFT_IRIS'],
  ['RightIris', 'FACEMESH_RIGHT_IRIS'],
];

function fail(message) {
  process.stderr.write(`gen_face_mesh_topology: error: ${message}\n`);
  process.exit(1);
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file} (${e.code ?? e.message}); run scripts/setup.sh`);
  }
}

function lineOf(source, offset) {
  let line = 1;
  for (let i = 0; i < offset; i++)
    if (source.charCodeAt(i) === 10) line++;
  return line;
}

// The array literal starting at source[start] === '[': its text up to the matching bracket,
// parsed as a list of [a, b] non-negative integer pairs.
function parsePairLiteral(source, start, what) {
  if (source[start] !== '[') fail(`${what}: expected '[' at line ${lineOf(source, start)}`);
  let depth = 0;
  let end = start;
  for (; end < source.length; end++) {
    const c = source[end];
    if (c === '[') {
      depth++;
    } else if (c === ']') {
      if (--depth === 0) break;
    } else if (!/[\d,\s]/.test(c)) {
      fail(`${what}: unexpected '${c}' in array literal at line ${lineOf(source, end)}`);
    }
  }
  if (depth !== 0) fail(`${what}: unterminated array literal at line ${lineOf(source, start)}`);
  const text = source.slice(start, end + 1);
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(
        `${what}: array literal at line ${lineOf(source, start)} is not plain data (${e.message})`);
  }
  if (!Array.isArray(value)) fail(`${what}: not an array`);
  value.forEach((pair, i) => {
    const ok = Array.isArray(pair) && pair.length === 2 &&
        pair.every((v) => Number.isInteger(v) && v >= 0 && v < MAX_INDEX);
    if (!ok) fail(`${what}: element ${i} is ${JSON.stringify(pair)}, not a pair of indices < 478`);
    if (pair[0] === pair[1]) fail(`${what}: element ${i} is a self-loop ${JSON.stringify(pair)}`);
  });
  return {pairs: value, end: end + 1};
}

const IDENT = '[A-Za-z_$][\\w$]*';
const escapeRe = (s) => s.replace(/[$]/g, '\\$');

// The one definition `name=` (not `==`, not a property `.name=`) in the bundle.
function findDefinition(source, name, what) {
  const re = new RegExp(`(?<![\\w$.])${escapeRe(name)}\\s*=(?!=)`, 'g');
  const hits = [...source.matchAll(re)];
  if (hits.length !== 1)
    fail(`${what}: '${name}' is assigned ${hits.length} times in the bundle, expected once`);
  let at = hits[0].index + hits[0][0].length;
  while (/\s/.test(source[at])) at++;
  return at;
}

// Checks that `fn` is the Closure array-spread helper: function D(a){if(!(a instanceof Array))...
// (it copies an iterable into an array and returns arrays unchanged).
function checkSpreadHelper(source, fn, what) {
  const re = new RegExp(
      `function ${escapeRe(fn)}\\(a\\)\\{if\\(!\\(a instanceof Array\\)\\)\\{` +
      `a=${IDENT}\\(a\\);for\\(var b,c=\\[\\];!\\(b=a\\.next\\(\\)\\)\\.done;\\)` +
      `c\\.push\\(b\\.value\\);a=c\\}return a\\}`);
  if (!re.test(source)) fail(`${what}: '${fn}' is not the array-spread helper this parser knows`);
}

// The value of an expression at source[at]: a pair literal, or an identifier resolved through its
// single definition.
function resolveValue(source, at, what, seen = new Set()) {
  if (source[at] === '[' && source[at + 1] !== ']') return parsePairLiteral(source, at, what).pairs;
  if (source.startsWith('[].concat(', at)) {
    const args = /^\[\]\.concat\(((?:[A-Za-z_$][\w$]*\([A-Za-z_$][\w$]*\),?)+)\)/.exec(
        source.slice(at, at + 2000));
    if (!args) fail(`${what}: unrecognised [].concat(...) at line ${lineOf(source, at)}`);
    const result = [];
    for (const m of args[1].matchAll(new RegExp(`(${IDENT})\\((${IDENT})\\)`, 'g'))) {
      checkSpreadHelper(source, m[1], what);
      result.push(...resolveIdentifier(source, m[2], what, seen));
    }
    return result;
  }
  const id = new RegExp(`^${IDENT}`).exec(source.slice(at, at + 100));
  if (id) return resolveIdentifier(source, id[0], what, seen);
  fail(`${what}: unrecognised value '${source.slice(at, at + 40)}' at line ${lineOf(source, at)}`);
}

function resolveIdentifier(source, name, what, seen) {
  if (seen.has(name)) fail(`${what}: '${name}' is defined in terms of itself`);
  seen.add(name);
  const value = resolveValue(source, findDefinition(source, name, what), what, seen);
  seen.delete(name);
  return value;
}

// Every `H("FACEMESH_X", value)` export in the bundle: name -> pairs.
function extractSets(source) {
  const re = new RegExp(`(?<![\\w$.])(${IDENT})\\("(FACEMESH_[A-Z0-9_]+)",`, 'g');
  const sets = new Map();
  const exporters = new Set();
  for (const m of source.matchAll(re)) {
    const name = m[2];
    exporters.add(m[1]);
    if (sets.has(name)) fail(`${name} is exported twice in ${BUNDLE}`);
    let at = m.index + m[0].length;
    while (/\s/.test(source[at])) at++;
    sets.set(name, resolveValue(source, at, name));
  }
  if (exporters.size > 1)
    fail(`FACEMESH_* constants exported through several functions: ${[...exporters]}`);
  return sets;
}

// Tesselation edges come in threes a→b, b→c, c→a, one triangle each (MediaPipe's own order and
// winding). Returns the number of triangles; fails on anything else.
function checkTesselation(pairs) {
  if (pairs.length % 3 !== 0)
    fail(`FACEMESH_TESSELATION has ${pairs.length} edges, not a multiple of 3`);
  const directed = new Set();
  const faces = new Map();
  for (let i = 0; i < pairs.length; i += 3) {
    const [p, q, r] = [pairs[i], pairs[i + 1], pairs[i + 2]];
    if (p[1] !== q[0] || q[1] !== r[0] || r[1] !== p[0]) {
      const edges = JSON.stringify([p, q, r]);
      fail(`FACEMESH_TESSELATION edges ${i}..${i + 2} ${edges} are not a closed triangle`);
    }
    for (const [a, b] of [p, q, r]) {
      const key = `${a},${b}`;
      if (directed.has(key))
        fail(`FACEMESH_TESSELATION: edge ${a}->${b} twice (inconsistent winding)`);
      directed.add(key);
      const undirected = a < b ? `${a},${b}` : `${b},${a}`;
      faces.set(undirected, (faces.get(undirected) ?? 0) + 1);
    }
  }
  for (const [edge, n] of faces)
    if (n > 2) fail(`FACEMESH_TESSELATION: edge ${edge} belongs to ${n} triangles`);
  return pairs.length / 3;
}

function cppArray(ident, pairs) {
  const items = pairs.map(([a, b]) => `{${a}, ${b}}`);
  const lines = [];
  for (let i = 0; i < items.length; i += 8) lines.push(`    ${items.slice(i, i + 8).join(', ')},`);
  return `constexpr LandmarkEdge ${ident}[] = {\n${lines.join('\n')}\n};\n` +
      `static_assert(std::size(${ident}) == ${pairs.length});\n`;
}

function main() {
  const [packageDir, output, pinsFile] = process.argv.slice(2);
  if (!packageDir || !output)
    fail('usage: gen_face_mesh_topology.mjs PACKAGE_DIR OUTPUT_CPP [PINS_FILE]');

  let pkg;
  try {
    pkg = JSON.parse(readText(path.join(packageDir, 'package.json')));
  } catch (e) {
    fail(`${path.join(packageDir, 'package.json')}: ${e.message}`);
  }
  if (pkg.name !== PACKAGE_NAME) fail(`${packageDir} holds ${pkg.name}, expected ${PACKAGE_NAME}`);
  if (pinsFile) {
    const pin = readText(pinsFile)
                    .split('\n')
                    .map((l) => l.trim().split(/\s+/))
                    .find((cols) => cols[0] === PACKAGE_NAME);
    if (!pin) fail(`${pinsFile} does not pin ${PACKAGE_NAME}`);
    if (pin[1] !== pkg.version)
      fail(
          `${packageDir} has ${PACKAGE_NAME}@${pkg.version} but ${pinsFile} pins ${pin[1]}; ` +
          'run scripts/setup.sh');
  }

  const source = readText(path.join(packageDir, BUNDLE));
  const sets = extractSets(source);
  const declared = new Set([
    ...readText(path.join(packageDir, 'index.d.ts'))
        .matchAll(/export declare const (FACEMESH_[A-Z0-9_]+)/g)
  ].map((m) => m[1]));
  const exported = new Set(sets.keys());
  const differ = [...declared].filter((n) => !exported.has(n)).concat([
    ...exported
  ].filter((n) => !declared.has(n)));
  if (differ.length) fail(`index.d.ts and ${BUNDLE} disagree about: ${differ.join(', ')}`);

  for (const [, name] of REQUIRED)
    if (!sets.has(name)) fail(`${BUNDLE} defines no ${name}`);
  const extra = [...exported].filter((n) => !REQUIRED.some(([, r]) => r === n));
  if (extra.length)
    fail(
        `${BUNDLE} defines ${extra.join(', ')}, which semblend::FaceMeshSet has no enumerator ` +
        'for yet (add it to include/semblend/topology.h and to this generator)');
  const triangles = checkTesselation(sets.get('FACEMESH_TESSELATION'));

  const provenance = `${PACKAGE_NAME}@${pkg.version} (${pkg.license}), file ${BUNDLE}`;
  let out = '';
  out += '// GENERATED FILE - do not edit.\n';
  out += '// Generated at build time by tools/gen_face_mesh_topology.mjs from the npm package\n';
  out += `// ${provenance},\n`;
  out += '// installed and checksum-verified by scripts/setup.sh (third_party/npm-packages.txt).\n';
  out += '// MediaPipe face-mesh landmark connections: Copyright Google LLC, Apache License 2.0.\n';
  out += '//\n';
  out += '// Edge lists exactly as the package defines them (order and direction kept):\n';
  for (const [, name] of REQUIRED)
    out += `//   ${name.padEnd(24)} ${sets.get(name).length} edges\n`;
  out +=
      `// FACEMESH_TESSELATION is ${triangles} triangles, three edges each (a->b, b->c, c->a).\n`;
  out += '#include <cstddef>\n#include <iterator>\n#include <span>\n#include <stdexcept>\n';
  out += '#include <string_view>\n\n#include "semblend/topology.h"\n\n';
  out += 'namespace semblend {\nnamespace {\n\n';
  for (const [enumerator, name] of REQUIRED)
    out += cppArray(`k${enumerator}`, sets.get(name)) + '\n';
  out += '}  // namespace\n\n';
  out += 'std::span<const LandmarkEdge> face_mesh_edges(FaceMeshSet set) {\n  switch (set) {\n';
  for (const [enumerator] of REQUIRED)
    out += `    case FaceMeshSet::${enumerator}:\n      return k${enumerator};\n`;
  out += '  }\n  throw std::invalid_argument("face_mesh_edges: not a FaceMeshSet value");\n}\n\n';
  out += 'std::string_view face_mesh_set_name(FaceMeshSet set) {\n  switch (set) {\n';
  for (const [enumerator, name] of REQUIRED)
    out += `    case FaceMeshSet::${enumerator}:\n      return "${name}";\n`;
  out +=
      '  }\n  throw std::invalid_argument("face_mesh_set_name: not a FaceMeshSet value");\n}\n\n';
  out += `std::string_view face_mesh_topology_source() {\n  return "${provenance}";\n}\n\n`;
  out += '}  // namespace semblend\n';

  fs.mkdirSync(path.dirname(output), {recursive: true});
  const temp = `${output}.tmp${process.pid}`;
  try {
    fs.writeFileSync(temp, out);
    fs.renameSync(temp, output);
  } catch (e) {
    fs.rmSync(temp, {force: true});
    fail(`cannot write ${output}: ${e.message}`);
  }
}

main();
