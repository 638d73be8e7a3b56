import { describe, expect, it } from 'vitest';
import { checkNginxConfig, GOOD_CONFIG, NAIVE_CONFIG } from './nginx-config-check.ts';
import { parseNginx, parseNginxTime } from './nginx-syntax.ts';

function only(text: string, heartbeat: number | null = 30) {
  const result = checkNginxConfig(text, heartbeat);
  if (!result.ok) throw new Error(result.error);
  expect(result.locations).toHaveLength(1);
  return result.locations[0]!;
}
const levelOf = (report: ReturnType<typeof only>, directive: string) => report.findings.find((f) => f.directive.startsWith(directive))?.level;

describe('nginx config checker (lesson 9)', () => {
  it('parses blocks, quotes and comments', () => {
    const parsed = parseNginx(`# c\nhttp { map $a $b { default x; '' close; } }`);
    expect(parsed[0]?.block?.[0]?.block?.map((d) => d.name)).toEqual(['default', '']);
    expect(() => parseNginx('server { listen 80 }')).toThrow(/not terminated/);
    expect(() => parseNginx('server { listen 80;')).toThrow(/not closed/);
  });

  it('reads nginx times', () => {
    expect(parseNginxTime('60')).toBe(60);
    expect(parseNginxTime('1m30s')).toBe(90);
    expect(parseNginxTime('1h')).toBe(3600);
    expect(parseNginxTime('soon')).toBeNull();
  });

  it('accepts the map idiom: the upstream (the core) answers 101 (RFC 6455 §4.2.2)', () => {
    const report = only(GOOD_CONFIG);
    expect(report.findings.every((f) => f.level === 'ok')).toBe(true);
    expect(report.verdict.status).toBe(101);
    expect(report.findings.find((f) => f.directive.includes('Connection'))?.message).toMatch(/"close" for a plain request/);
  });

  it('explains a bare proxy_pass: HTTP/1.0, no Upgrade, Connection: close, and the core refuses with 400 (RFC 6455 §4.2.1)', () => {
    const report = only(NAIVE_CONFIG);
    expect(levelOf(report, 'proxy_http_version')).toBe('error');
    expect(levelOf(report, 'proxy_set_header Upgrade')).toBe('error');
    expect(levelOf(report, 'proxy_set_header Connection')).toBe('error');
    expect(report.upstreamRequest).toMatch(/^GET \/echo HTTP\/1\.0\r\n/);
    expect(report.upstreamRequest).toMatch(/Connection: close/);
    expect(report.upstreamRequest).not.toMatch(/Upgrade:/);
    expect(report.verdict.status).toBe(400);
  });

  it('with HTTP/1.1 but no Upgrade header the core names the missing Upgrade token', () => {
    const report = only(NAIVE_CONFIG.replace('proxy_pass', 'proxy_http_version 1.1;\n        proxy_pass'));
    expect(report.verdict).toMatchObject({ status: 400, reason: expect.stringMatching(/Upgrade header must contain/) });
  });

  it('flags $connection_upgrade without its map, and a timeout shorter than the heartbeat', () => {
    const config = `server { location /ws { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; } }`;
    const report = only(config, 90);
    expect(report.findings.find((f) => f.directive.startsWith('map'))?.message).toMatch(/unknown variable/);
    expect(levelOf(report, 'proxy_read_timeout')).toBe('error');
    expect(only(config, null).findings.find((f) => f.directive === 'proxy_read_timeout')?.message).toMatch(/cut/);
  });

  it('knows that a location with its own proxy_set_header inherits none from the server level', () => {
    const config = `server { proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";
      location /ws { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Host $host; } }`;
    const report = only(config);
    expect(report.findings.some((f) => f.directive.includes('inheritance'))).toBe(true);
    expect(report.verdict.status).toBe(400);
    const inheritedOk = only(config.replace('proxy_set_header Host $host;', ''));
    expect(inheritedOk.verdict.status).toBe(101);
  });

  it('says so when nothing proxies', () => {
    expect(checkNginxConfig('server { listen 80; }', 30)).toMatchObject({ ok: false });
    expect(checkNginxConfig('server {', 30)).toMatchObject({ ok: false, error: expect.stringMatching(/not closed/) });
  });
});
