/** Static files from staticDir over the same port as the WebSockets: types, caching, 404/405, traversal. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safePathname } from '../../src/node/static-files.ts';
import { exchange, parseResponse, start, type Started } from './helpers.ts';

let root: string;
let site: string;
let lab: Started;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lab-static-'));
  site = join(root, 'dist');
  mkdirSync(join(site, '_astro'), { recursive: true });
  mkdirSync(join(site, 'lessons', 'frames'), { recursive: true });
  mkdirSync(join(site, 'pagefind', 'index'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(site, '404.html'), '<!doctype html><title>lost</title>');
  writeFileSync(join(site, 'lessons', 'frames', 'index.html'), '<!doctype html><title>frames</title>');
  writeFileSync(join(site, '_astro', 'app.1a2b3c.js'), 'export {}');
  writeFileSync(join(site, 'style.css'), 'body{}');
  writeFileSync(join(site, 'logo.svg'), '<svg/>');
  writeFileSync(join(site, 'data.json'), '{}');
  writeFileSync(join(site, 'mod.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  writeFileSync(join(site, 'font.woff2'), 'x');
  writeFileSync(join(site, 'site.webmanifest'), '{}');
  writeFileSync(join(site, 'pagefind', 'index', 'en_1.pf_index'), 'x');
  writeFileSync(join(root, 'secret.txt'), 'do not serve');
  lab = await start({ staticDir: site });
});

afterAll(async () => {
  await lab.server.close();
  rmSync(root, { recursive: true, force: true });
});

function get(path: string, method = 'GET', headers = ''): Promise<ReturnType<typeof parseResponse>> {
  return exchange(lab.port, `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n`).then((answer) =>
    parseResponse(answer.text),
  );
}

describe('static files', () => {
  it.each([
    ['/', 'text/html; charset=utf-8', 'home'],
    ['/index.html', 'text/html; charset=utf-8', 'home'],
    ['/lessons/frames/', 'text/html; charset=utf-8', 'frames'],
    ['/_astro/app.1a2b3c.js', 'text/javascript; charset=utf-8', 'export'],
    ['/style.css', 'text/css; charset=utf-8', 'body'],
    ['/logo.svg', 'image/svg+xml', 'svg'],
    ['/data.json', 'application/json; charset=utf-8', '{}'],
    ['/mod.wasm', 'application/wasm', 'asm'],
    ['/font.woff2', 'font/woff2', 'x'],
    ['/site.webmanifest', 'application/manifest+json; charset=utf-8', '{}'],
    ['/pagefind/index/en_1.pf_index', 'application/octet-stream', 'x'],
  ])('GET %s -> 200 %s', async (path, type, content) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.body).toContain(content);
  });

  it('hashed assets under /_astro/ are cached for a year, everything else revalidates', async () => {
    expect((await get('/_astro/app.1a2b3c.js')).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/index.html')).headers.get('cache-control')).toBe('no-cache');
  });

  it('a directory without its trailing slash redirects to it', async () => {
    const response = await get('/lessons/frames');
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/lessons/frames/');
  });

  it('a missing file gets 404 with the site 404 page', async () => {
    const response = await get('/nope.html');
    expect(response.status).toBe(404);
    expect(response.body).toContain('lost');
  });

  it('HEAD gives the headers without a body; other methods get 405 with Allow', async () => {
    const head = await get('/style.css', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('6');
    expect(head.body).toBe('');
    const post = await get('/style.css', 'POST', 'Content-Length: 0\r\n');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('ETag revalidation answers 304', async () => {
    const first = await get('/style.css');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    expect((await get('/style.css', 'GET', `If-None-Match: ${etag}\r\n`)).status).toBe(304);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/lessons/../../secret.txt',
    '/%00',
    '/index.html%00.txt',
    '/..\\secret.txt',
    '/%5c..%5csecret.txt',
  ])('path traversal %s never reaches outside the site', async (path) => {
    const response = await get(path);
    expect(response.status === 400 || response.status === 404).toBe(true);
    expect(response.body).not.toContain('do not serve');
  });

  it('safePathname refuses every spelling of .. and NUL', () => {
    expect(safePathname('/a/b.html?x=1')).toBe('/a/b.html');
    expect(safePathname('/caf%C3%A9.html')).toBe('/café.html');
    for (const bad of ['/../x', '/%2e%2e/x', '/.%2e/x', '/%00', '/a\\..\\b', '/%E0%A4%A', 'relative']) expect(safePathname(bad)).toBeNull();
  });

  it('keeps serving a kept-alive connection (requests handed to node:http with their bytes)', async () => {
    const twice = 'GET /style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /data.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const answer = await exchange(lab.port, twice);
    expect(answer.text.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(2);
    expect(answer.text).toContain('body{}');
  });
});

describe('without a built site', () => {
  it('/ says plainly that the site is not built, /echo still works', async () => {
    const bare = await start({ staticDir: join(root, 'missing') });
    try {
      const answer = await exchange(bare.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const response = parseResponse(answer.text);
      expect(response.status).toBe(200);
      expect(response.body).toContain('site not built: run npm run build');
      const other = parseResponse((await exchange(bare.port, 'GET /x.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).text);
      expect(other.status).toBe(404);
    } finally {
      await bare.server.close();
    }
  });
});
