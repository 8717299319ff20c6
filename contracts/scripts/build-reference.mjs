#!/usr/bin/env node
// Builds the Chainlink reference peer used by compatibility tests and gas benchmarks, from the
// REAL sources of npm @chainlink/contracts (never copied into src/):
//   - Operator  (src/v0.8/operatorforwarder/Operator.sol)
//   - LinkToken (src/v0.8/shared/token/ERC677/LinkToken.sol; mint via grantMintRole + mint)
//   - test-reference/*.sol: consumers on the real ChainlinkClient, with our examples' ABI
// compiled with solc 0.8.19 (npm alias solc-0.8.19), optimizer 200 runs, as measured in
// shared/REFERENCE.md §9. Output: contracts/reference-out/<Name>.json (gitignored), same shape as out/.
//
// Usage: node scripts/build-reference.mjs   (from contracts/, after `npm ci`)
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { collectSources, compile, writeArtifacts } from './lib/compile.mjs';

const require = createRequire(import.meta.url);
const solc = require('solc-0.8.19');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modules = path.join(root, 'node_modules');

// Import prefixes → installed packages. Operator.sol imports OpenZeppelin as
// "@openzeppelin/contracts@4.8.3/...", which npm cannot name, so it is installed as an alias.
const REMAPPINGS = [
  ['@openzeppelin/contracts@4.8.3/', '@openzeppelin/contracts-4.8.3/'],
  ['@chainlink/contracts/', '@chainlink/contracts/'],
];

function findImports(importPath) {
  for (const [prefix, target] of REMAPPINGS) {
    if (importPath.startsWith(prefix)) {
      const file = path.join(modules, target, importPath.slice(prefix.length));
      if (existsSync(file)) return { contents: readFileSync(file, 'utf8') };
      return { error: `${importPath}: ${file} not found (run npm ci in contracts/)` };
    }
  }
  return { error: `${importPath}: no remapping` };
}

const CHAINLINK = '@chainlink/contracts/src/v0.8';
const entry = [`${CHAINLINK}/operatorforwarder/Operator.sol`, `${CHAINLINK}/shared/token/ERC677/LinkToken.sol`];
const sources = collectSources(root, 'test-reference');
for (const file of entry) {
  const found = findImports(file);
  if (found.error) throw new Error(found.error);
  sources[file] = { content: found.contents };
}

const settings = { optimizer: { enabled: true, runs: 200 }, metadata: { bytecodeHash: 'none' } };
const output = compile(solc, sources, settings, findImports);
const wanted = [
  'Operator',
  'LinkToken',
  ...Object.keys(sources)
    .filter((f) => f.startsWith('test-reference/'))
    .map((f) => path.basename(f, '.sol')),
];
// Write to a fresh directory and swap it in, so a concurrent reader never sees half a build.
const outDir = path.join(root, 'reference-out');
const tmpDir = `${outDir}.tmp-${process.pid}`;
const written = writeArtifacts(output, sources, tmpDir, {
  only: wanted,
  sourceFilter: (f) => entry.includes(f) || f.startsWith('test-reference/'),
});
rmSync(outDir, { recursive: true, force: true });
renameSync(tmpDir, outDir);
console.log(`solc ${solc.version()}: wrote ${written.length} reference artifacts to reference-out/: ${written.join(', ')}`);
