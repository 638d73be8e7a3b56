/**
 * Builds the native unmasking addon (unmask.c) after `npm ci`, with the machine's C compiler and the
 * Node-API headers of the running Node. Optional: when it cannot be built, this says why in one line
 * and the lab server unmasks with the protocol core's WebAssembly kernel instead, as the browser does.
 * Plain JavaScript, so that it runs on any Node that can run npm.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'unmask.c');
const output = join(here, 'build', 'unmask.node');
const FALLBACK = 'the lab server will unmask with WebAssembly instead (slower for large frames, same results)';

function say(line) {
  console.log(`lab-server/native: ${line}`);
}

function findCompiler() {
  for (const candidate of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

function findHeaders() {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    process.env.npm_config_nodedir ? join(process.env.npm_config_nodedir, 'include', 'node') : null,
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((dir) => dir !== null && existsSync(join(dir, 'node_api.h'))) ?? null;
}

function build() {
  if (process.platform === 'win32') return say(`not built on Windows: ${FALLBACK}`);
  const compiler = findCompiler();
  if (compiler === null) return say(`not built: no C compiler (cc, gcc or clang) found; ${FALLBACK}`);
  const headers = findHeaders();
  if (headers === null) return say(`not built: no Node-API headers (node_api.h) found; ${FALLBACK}`);
  mkdirSync(dirname(output), { recursive: true });
  const partial = `${output}.${process.pid}.partial`;
  const flags = ['-O3', '-std=c11', '-Wall', '-shared', '-fPIC', ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [])];
  try {
    execFileSync(compiler, [...flags, `-I${headers}`, source, '-o', partial], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(partial, output);
    say(`built ${output} (${compiler}, headers ${headers})`);
  } catch (error) {
    rmSync(partial, { force: true });
    const reason = String(error.stderr ?? error.message).trim().split('\n')[0];
    say(`not built: ${compiler} failed (${reason}); ${FALLBACK}`);
  }
}

build();
