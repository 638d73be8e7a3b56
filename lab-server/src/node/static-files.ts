import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { contentTypeFor } from './content-types.ts';

/** Astro puts content-hashed bundles here: their name changes with their content, so they never go stale. */
const HASHED_ASSET_PREFIX = '/_astro/';
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
const REVALIDATE_CACHE = 'no-cache';
const NOT_BUILT_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Site not built</title>' +
  '<p>site not built: run npm run build</p>' +
  '<p>The WebSocket endpoints work anyway: <code>/echo</code>, <code>/lab/observe</code>, <code>/lab?session=ID</code>.</p>\n';

/**
 * Serves the built site from staticDir: GET and HEAD only, index.html for directories, the site's own
 * 404.html when present. Paths are decoded once, resolved, and must stay under staticDir; encoded dots,
 * backslashes and NUL are refused before resolving, so no spelling of ".." can escape.
 */
export function createStaticHandler(staticDir: string): (request: IncomingMessage, response: ServerResponse) => void {
  const root = resolve(staticDir);
  return (request, response) => {
    serveStatic(root, request, response).catch(() => {
      if (!response.headersSent) sendText(response, 500, 'internal error while reading a file');
      else response.destroy();
    });
  };
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    sendText(response, 405, `method ${method} not allowed: this server only serves files (GET, HEAD)`);
    return;
  }
  const pathname = safePathname(request.url ?? '/');
  if (pathname === null) {
    sendText(response, 400, 'bad path: encoded dots, backslashes and NUL are not allowed');
    return;
  }
  const rootStats = await statOrNull(root);
  if (rootStats === null || !rootStats.isDirectory()) {
    if (pathname === '/' || pathname === '/index.html') sendBody(response, 200, 'text/html; charset=utf-8', NOT_BUILT_PAGE, method);
    else sendText(response, 404, `not found: ${pathname} (site not built: run npm run build)`);
    return;
  }
  const target = resolve(root, `.${pathname}`);
  if (target !== root && !target.startsWith(root + sep)) {
    sendText(response, 400, 'bad path: outside the site');
    return;
  }
  let file = target;
  let stats = await statOrNull(file);
  if (stats?.isDirectory()) {
    if (!pathname.endsWith('/')) {
      // Relative links inside index.html resolve against the directory only with the trailing slash.
      response.statusCode = 301;
      response.setHeader('Location', `${pathname}/${queryOf(request.url ?? '')}`);
      response.end();
      return;
    }
    file = join(target, 'index.html');
    stats = await statOrNull(file);
  }
  if (stats === null || !stats.isFile()) {
    await sendNotFound(root, response, pathname, method);
    return;
  }
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  response.setHeader('ETag', etag);
  response.setHeader('Last-Modified', stats.mtime.toUTCString());
  response.setHeader('Cache-Control', pathname.startsWith(HASHED_ASSET_PREFIX) ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  if (request.headers['if-none-match'] === etag) {
    response.statusCode = 304;
    response.end();
    return;
  }
  sendFile(response, 200, file, stats, method);
}

/** Decodes the path of the request target, or null when it is malformed or tries to be clever. */
export function safePathname(url: string): string | null {
  const raw = url.split(/[?#]/, 1)[0] ?? '';
  if (!raw.startsWith('/')) return null;
  // %2e%2e and friends: a decoded ".." would slip past a check done before decoding; refuse outright.
  if (/%2e|%2f|%5c|%00/i.test(raw)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((segment) => segment === '..')) return null;
  return decoded;
}

function queryOf(url: string): string {
  const index = url.indexOf('?');
  return index < 0 ? '' : url.slice(index);
}

async function sendNotFound(root: string, response: ServerResponse, pathname: string, method: string): Promise<void> {
  const page = join(root, '404.html');
  const stats = await statOrNull(page);
  if (stats?.isFile()) {
    response.setHeader('Cache-Control', REVALIDATE_CACHE);
    sendFile(response, 404, page, stats, method);
  } else {
    sendText(response, 404, `not found: ${pathname}`);
  }
}

function sendFile(response: ServerResponse, status: number, file: string, stats: Stats, method: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentTypeFor(file));
  response.setHeader('Content-Length', stats.size);
  if (method === 'HEAD') {
    response.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

function sendText(response: ServerResponse, status: number, line: string): void {
  sendBody(response, status, 'text/plain; charset=utf-8', `${line}\n`, 'GET');
}

function sendBody(response: ServerResponse, status: number, contentType: string, body: string, method: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.setHeader('Cache-Control', REVALIDATE_CACHE);
  if (method === 'HEAD') response.end();
  else response.end(body);
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}
