/** main.ts: flags and environment, the printed URL, and a clean exit on SIGTERM. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseCliArgs } from '../../src/node/cli-args.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('parseCliArgs', () => {
  it.each([
    [[], {}, { port: 8455, host: '127.0.0.1', help: false }],
    [['--port', '9000'], {}, { port: 9000, host: '127.0.0.1', help: false }],
    [['--port=0', '--host=0.0.0.0'], {}, { port: 0, host: '0.0.0.0', help: false }],
    [[], { PORT: '7000', HOST: '::1' }, { port: 7000, host: '::1', help: false }],
    [['--port', '9000'], { PORT: '7000' }, { port: 9000, host: '127.0.0.1', help: false }],
    [['--help'], {}, { port: 8455, host: '127.0.0.1', help: true }],
  ])('%j with env %j', (argv, env, expected) => {
    expect(parseCliArgs(argv, env)).toEqual(expected);
  });

  it.each([
    [['--port', 'eighty'], /--port must be a port number/],
    [['--port', '70000'], /--port must be a port number/],
    [['--port'], /--port needs a value/],
    [['--verbose'], /unknown option --verbose/],
  ])('%j is refused with one line', (argv, message) => {
    expect(() => parseCliArgs(argv, {})).toThrow(message);
  });

  it('a bad PORT in the environment is refused', () => {
    expect(() => parseCliArgs([], { PORT: '-1' })).toThrow(/PORT must be a port number/);
  });
});

interface Running {
  readonly child: ReturnType<typeof spawn>;
  /** Output so far. */
  stdout(): string;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '', HOST: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, stdout: () => stdout, done };
}

describe('main.ts', () => {
  it('bad flags: one-line error and exit 2', async () => {
    const { code, stderr } = await run(['--bogus']).done;
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/unknown option --bogus/);
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run(['--help']).done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/--port N/);
  });

  it('prints its URL, serves /echo, and on SIGTERM closes clients with 1001 and exits 0', async () => {
    const server = run(['--port', '0']);
    const deadline = Date.now() + 10_000;
    let url = '';
    while (Date.now() < deadline) {
      const match = /Lab server and site: (http:\/\/127\.0\.0\.1:\d+)\//.exec(server.stdout());
      if (match !== null) {
        url = match[1]!;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(url).not.toBe('');
    expect(server.stdout()).toContain(`${url.replace('http', 'ws')}/echo`);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    await page.arrayBuffer();
    const ws = new WebSocket(`${url.replace('http', 'ws')}/echo`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const echo = new Promise((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('ping?');
    expect(await echo).toBe('ping?');
    const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect((await server.done).code).toBe(0);
  }, 20_000);
});
