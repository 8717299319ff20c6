// Shared by build.mjs and build-reference.mjs: source collection, standard-JSON compile, artifact
// writing. Node.js built-ins only.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/// Every `.sol` file under `root/dir`, keyed by its path relative to `root` (forward slashes),
/// in sorted order so compiler input is the same on every machine.
export function collectSources(root, dir) {
  const sources = {};
  const walk = (rel) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.sol')) sources[child] = { content: readFileSync(path.join(root, child), 'utf8') };
    }
  };
  walk(dir);
  return sources;
}

/// Runs solc's standard-JSON compile; prints warnings, throws on errors.
export function compile(solc, sources, settings, findImports) {
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...settings,
      outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const problems = output.errors ?? [];
  for (const p of problems.filter((p) => p.severity !== 'error')) {
    console.warn(p.formattedMessage);
  }
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  return output;
}

/// Writes `<Name>.json` for every deployable contract and every interface with a non-empty ABI.
/// Libraries with internal functions only (empty ABI) and abstract contracts (no bytecode) are
/// skipped. `only` restricts the output to those names.
/// With `prune`, stale `.json` files in `outDir` are deleted.
export function writeArtifacts(output, sources, outDir, { prune = false, only = null, sourceFilter = () => true } = {}) {
  const artifacts = new Map();
  for (const [file, contracts] of Object.entries(output.contracts ?? {})) {
    if (!sourceFilter(file)) continue;
    for (const [name, c] of Object.entries(contracts)) {
      if (only && !only.includes(name)) continue;
      const bytecode = c.evm.bytecode.object;
      const isInterface = bytecode === '' && isInterfaceSource(sources[file]?.content, name);
      if (c.abi.length === 0) continue; // libraries with internal functions only
      if (bytecode === '' && !isInterface) continue; // abstract contracts
      if (artifacts.has(name)) throw new Error(`two contracts are named ${name}; artifact names must be unique`);
      artifacts.set(name, {
        abi: c.abi,
        bytecode: `0x${bytecode}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      });
    }
  }
  if (only) {
    const missing = only.filter((n) => !artifacts.has(n));
    if (missing.length) throw new Error(`contracts not found in the compiler output: ${missing.join(', ')}`);
  }
  mkdirSync(outDir, { recursive: true });
  const names = [...artifacts.keys()].sort();
  if (prune) {
    for (const f of readdirSync(outDir)) {
      if (f.endsWith('.json') && !artifacts.has(f.slice(0, -5))) rmSync(path.join(outDir, f));
    }
  }
  for (const name of names) {
    writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(artifacts.get(name), null, 2)}\n`);
  }
  return names;
}

function isInterfaceSource(content, name) {
  // The AST is not requested; decide from the source text instead (cheap and exact enough:
  // `interface Name` declares an interface, `abstract contract Name` does not).
  if (content === undefined) return false;
  return new RegExp(`\\binterface\\s+${name}\\b`).test(content);
}
