/**
 * Builds the lab server's native addons after `npm ci`, with the machine's C compiler and the Node-API
 * headers of the running Node: unmask.c (in-place unmasking) and heap.c (how much freed memory the C heap
 * keeps). Optional: when one cannot be built, this says why in one line and what the lab server does
 * without it. Plain JavaScript, so that it runs on any Node that can run npm.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ADDONS = [
  {
    name: 'unmask',
    fallback: 'the lab server will unmask with WebAssembly instead (slower for large frames, same results)',
  },
  {
    name: 'heap',
    fallback: "the lab server will leave the C heap's trimming as it is (more page faults under large messages, same results)",
  },
];

/** What a machine without the addons gets: the portable paths, with the same results. */
const WITHOUT_ADDONS = 'the lab server runs without its native addons (same results)';

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
  if (process.platform === 'win32') return say(`not built on Windows: ${WITHOUT_ADDONS}`);
  const compiler = findCompiler();
  if (compiler === null) return say(`not built: no C compiler (cc, gcc or clang) found; ${WITHOUT_ADDONS}`);
  const headers = findHeaders();
  if (headers === null) return say(`not built: no Node-API headers (node_api.h) found; ${WITHOUT_ADDONS}`);
  const flags = ['-O3', '-std=c11', '-Wall', '-shared', '-fPIC', ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [])];
  for (const { name, fallback } of ADDONS) {
    const source = join(here, `${name}.c`);
    const output = join(here, 'build', `${name}.node`);
    mkdirSync(dirname(output), { recursive: true });
    const partial = `${output}.${process.pid}.partial`;
    try {
      execFileSync(compiler, [...flags, `-I${headers}`, source, '-o', partial], { stdio: ['ignore', 'ignore', 'pipe'] });
      renameSync(partial, output);
      say(`built ${output} (${compiler}, headers ${headers})`);
    } catch (error) {
      rmSync(partial, { force: true });
      const reason = String(error.stderr ?? error.message).trim().split('\n')[0];
      say(`${name}.node not built: ${compiler} failed (${reason}); ${fallback}`);
    }
  }
}

build();
