/** main.ts: flags and environment, the printed URL, and a clean exit on SIGTERM. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseCliArgs } from '../../src/node/cli-args.ts';
import { freePort } from './inspect-helpers.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('parseCliArgs', () => {
  it.each([
    [[], {}, { port: 8455, host: '127.0.0.1', help: false, inspect: null, allowedOrigins: [] }],
    [['--port', '9000'], {}, { port: 9000, host: '127.0.0.1', help: false, inspect: null, allowedOrigins: [] }],
    [['--port=0', '--host=0.0.0.0'], {}, { port: 0, host: '0.0.0.0', help: false, inspect: null, allowedOrigins: [] }],
    [[], { PORT: '7000', HOST: '::1' }, { port: 7000, host: '::1', help: false, inspect: null, allowedOrigins: [] }],
    [['--port', '9000'], { PORT: '7000' }, { port: 9000, host: '127.0.0.1', help: false, inspect: null, allowedOrigins: [] }],
    [['--help'], {}, { port: 8455, host: '127.0.0.1', help: true, inspect: null, allowedOrigins: [] }],
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

  it('--inspect URL takes a ws:// target; --inspect-allow-remote lifts the loopback rule', () => {
    const settings = parseCliArgs(['--inspect', 'ws://127.0.0.1:3000/socket'], {});
    expect(settings.inspect?.target.href).toBe('ws://127.0.0.1:3000/socket');
    expect(settings.inspect?.allowRemote).toBe(false);
    const remote = parseCliArgs(['--inspect=ws://example.com/ws', '--inspect-allow-remote'], {});
    expect(remote.inspect).toMatchObject({ allowRemote: true });
    expect(remote.inspect?.target.hostname).toBe('example.com');
  });

  it.each([
    [['--inspect', 'wss://127.0.0.1:3000/'], /wss:\/\/ targets are not supported yet/],
    [['--inspect', 'http://127.0.0.1:3000/'], /--inspect needs a ws:\/\/ URL, got http:/],
    [['--inspect', 'not a url'], /--inspect needs a WebSocket URL/],
    [['--inspect', 'ws://127.0.0.1/#x'], /must not have a #fragment/],
    [['--inspect'], /--inspect needs a value/],
    [['--inspect-allow-remote'], /only makes sense with --inspect URL/],
    [['--inspect-allow-remote=yes', '--inspect', 'ws://127.0.0.1/'], /unknown option --inspect-allow-remote=yes/],
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

/** Polls the child's output until `pattern` matches (10 s at most). */
async function waitFor(running: Running, pattern: RegExp): Promise<RegExpExecArray | null> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const match = pattern.exec(running.stdout());
    if (match !== null) return match;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return null;
}

describe('main.ts', () => {
  it('bad flags: one-line error and exit 2', async () => {
    const { code, stderr } = await run(['--bogus']).done;
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/unknown option --bogus/);
  });

  it.each([
    [['--inspect', 'wss://127.0.0.1:3000/'], /wss:\/\/ targets are not supported yet/],
    [['--inspect', 'ws://192.0.2.1:3000/'], /192\.0\.2\.1 is not this machine.*--inspect-allow-remote/],
  ])('%j: one-line error and exit 2', async (args, message) => {
    const { code, stderr } = await run(['--port', '0', ...args]).done;
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('a target that is the lab server itself: one-line error and exit 2', async () => {
    const port = String(await freePort());
    const { code, stderr } = await run(['--port', port, '--inspect', `ws://127.0.0.1:${port}/inspect`]).done;
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/is this lab server itself/);
  });

  it('--inspect prints where the app should connect', async () => {
    const server = run(['--port', '0', '--inspect', 'ws://localhost:3999/socket']);
    const printed = await waitFor(server, /inspect: point your app at (ws:\/\/127\.0\.0\.1:\d+)\/inspect \(relayed to ws:\/\/localhost:3999\/socket\)/);
    expect(printed).not.toBeNull();
    expect(await waitFor(server, new RegExp(`${printed![1]!.replace(/[.:/]/g, '\\$&')}/lab/observe\\?watch=inspect`))).not.toBeNull();
    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
  }, 20_000);

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run(['--help']).done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/--port N/);
    expect(stdout).toMatch(/--inspect URL/);
    expect(stdout).toMatch(/--inspect-allow-remote/);
    expect(stdout).toMatch(/--allow-origin ORIGIN/);
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
    // Lines arrive one write at a time: wait for the echo line too rather than assume it came with the first.
    const echoUrl = `${url.replace('http', 'ws')}/echo`;
    expect(await waitFor(server, new RegExp(echoUrl.replace(/[.:/]/g, '\\$&')))).not.toBeNull();
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
