#!/usr/bin/env node
// Compiles every contracts/src/**/*.sol with the pinned solc-js (package.json) and writes one
// artifact per deployable contract or interface to contracts/out/<Name>.json:
//   { "abi": [...], "bytecode": "0x...", "deployedBytecode": "0x..." }
// Artifacts are deterministic (no metadata hash, no CBOR trailer, stable key order), so CI can
// rebuild and `git diff --exit-code contracts/out`. Libraries and abstract contracts are skipped.
//
// Usage: node scripts/build.mjs            (from contracts/, after `npm ci`)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';
import { collectSources, compile, writeArtifacts } from './lib/compile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Compiler settings of our contracts; changing them changes every artifact. viaIR with 1e6 runs
// gave the lowest request and fulfil gas (measured by the bindings' gas test; deployment is once).
// cancun: transient storage and mcopy, and it runs on anvil's default hardfork and current chains.
export const SETTINGS = {
  evmVersion: 'cancun',
  viaIR: true,
  optimizer: { enabled: true, runs: 1_000_000 },
  metadata: { bytecodeHash: 'none', appendCBOR: false },
};

const sources = collectSources(root, 'src');
const expected = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies.solc;
if (!solc.version().startsWith(`${expected}+`)) {
  throw new Error(`solc ${solc.version()} does not match package.json (${expected}); run npm ci`);
}
const output = compile(solc, sources, SETTINGS, () => ({ error: 'imports must be relative' }));
const written = writeArtifacts(output, sources, path.join(root, 'out'), { prune: true });
console.log(`solc ${solc.version()}: wrote ${written.length} artifacts to out/: ${written.join(', ')}`);
