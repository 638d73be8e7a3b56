/**
 * Table-driven conformance cases in the style of the Autobahn TestSuite: each case writes raw client bytes to /echo
 * and states exactly what the server must answer (its frames, decoded by ws's Receiver) and how it must close.
 */
import { expect, it } from 'vitest';
import type { EchoTarget } from './lab-server.ts';
import { close as closeFrame } from './frame-builder.ts';
import { RawClient, describeEvent, summarize } from './raw-client.ts';
import type { WireEvent } from './raw-client.ts';

export type SendStep =
  | Uint8Array
  /** The bytes in separate writes of `size` bytes each. */
  | { readonly chop: Uint8Array; readonly size: number }
  /** Let the server run for a while (Autobahn's delayed cases). */
  | { readonly pause: number }
  /** Wait until the server has produced this many events in total (e.g. the server's close before sending more). */
  | { readonly awaitEvents: number };

/** What the server must send; `compressed` is checked only when given. */
export type ExpectedEvent =
  | { readonly type: 'text'; readonly text: string; readonly compressed?: boolean }
  | { readonly type: 'binary'; readonly data: Uint8Array; readonly compressed?: boolean }
  | { readonly type: 'pong'; readonly data: Uint8Array | string };

export interface WireCase {
  /** Autobahn-like case number, e.g. "5.6". */
  readonly id: string;
  readonly title: string;
  /** Where the rule lives, e.g. "RFC 6455 §5.4". */
  readonly section: string;
  readonly send: readonly SendStep[];
  /** The server's frames before its close frame, in order. Default: none. */
  readonly expect?: readonly ExpectedEvent[];
  /**
   * The server must FAIL the connection (RFC 6455 §7.1.7): send a close frame with this code (one of them when an array)
   * and close TCP, without the client sending a close frame.
   */
  readonly fail?: number | readonly number[];
  /** Clean cases: the close frame the client sends last (default: close 1000). */
  readonly clientClose?: Uint8Array;
  /**
   * Clean cases: send the close frame right behind the data, without first waiting for the expected answers (as
   * Autobahn 7.1.1 does). By default the client waits for them first, like Autobahn's other cases.
   */
  readonly closeImmediately?: boolean;
  /** Clean cases: the close code(s) the server must answer with (default 1000). */
  readonly closeCode?: number | readonly number[];
  /** Sec-WebSocket-Extensions offer. */
  readonly extensions?: string;
  /** Time allowed for the whole exchange to end (default 5 s). */
  readonly timeoutMs?: number;
}

export const echoText = (text: string, compressed?: boolean): ExpectedEvent =>
  compressed === undefined ? { type: 'text', text } : { type: 'text', text, compressed };
export const echoBinary = (data: Uint8Array, compressed?: boolean): ExpectedEvent =>
  compressed === undefined ? { type: 'binary', data } : { type: 'binary', data, compressed };
export const expectPong = (data: Uint8Array | string = ''): ExpectedEvent => ({ type: 'pong', data });

export function caseName(c: WireCase): string {
  return `${c.id} ${c.title} (${c.section})`;
}

function describeExpected(event: ExpectedEvent): string {
  switch (event.type) {
    case 'text':
      return `text${event.compressed === true ? '(deflate)' : ''} ${summarize(event.text)}`;
    case 'binary':
      return `binary${event.compressed === true ? '(deflate)' : ''} ${summarize(event.data)}`;
    case 'pong':
      return `pong ${summarize(typeof event.data === 'string' ? Buffer.from(event.data, 'utf8') : event.data)}`;
  }
}

/** Describes the actual event at the same level of detail as the expected one (compression only when asked). */
function describeActual(event: WireEvent, expected: ExpectedEvent | undefined): string {
  if ((event.type === 'text' || event.type === 'binary') && expected !== undefined && expected.type === event.type) {
    if (expected.compressed === undefined) return describeEvent({ ...event, compressed: false });
  }
  return describeEvent(event);
}

export interface CaseOutcome {
  readonly client: RawClient;
  readonly events: readonly WireEvent[];
  readonly closeCode: number | null;
}

export async function sendSteps(client: RawClient, steps: readonly SendStep[], timeoutMs: number): Promise<void> {
  for (const step of steps) {
    if (step instanceof Uint8Array) await client.send(step);
    else if ('chop' in step) await client.sendChopped(step.chop, step.size);
    else if ('pause' in step) await new Promise((resolve) => setTimeout(resolve, step.pause));
    else await client.waitForEvents(step.awaitEvents, timeoutMs);
    if (client.tcpEnd !== null) break;
  }
}

/** Runs one case against the server on `port` and asserts the transcript. */
export async function runWireCase(port: number, c: WireCase): Promise<CaseOutcome> {
  const timeoutMs = c.timeoutMs ?? 5000;
  const client = await RawClient.open(c.extensions === undefined ? { port } : { port, extensions: c.extensions });
  try {
    await sendSteps(client, c.send, timeoutMs);
    const failing = c.fail !== undefined;
    if (!failing) {
      if (c.closeImmediately !== true && (c.expect?.length ?? 0) > 0) {
        // A timeout here is reported by the transcript assertion below, with the events that did arrive.
        await client.waitForEvents(c.expect!.length, timeoutMs).catch(() => undefined);
      }
      await client.send(c.clientClose ?? closeFrame(1000));
    }
    const end = await client.waitClosed(timeoutMs);

    const events = client.events;
    const closeIndex = events.findIndex((event) => event.type === 'close');
    const before = closeIndex < 0 ? events : events.slice(0, closeIndex);
    const expected = c.expect ?? [];
    expect(
      before.map((event, i) => describeActual(event, expected[i])),
      `server frames before its close, case ${c.id}`,
    ).toEqual(expected.map(describeExpected));

    const closeEvent = closeIndex < 0 ? undefined : events[closeIndex];
    expect(closeEvent, `case ${c.id}: the server must send a close frame; got ${events.map(describeEvent).join(', ')}`).toBeDefined();
    expect(events.slice(closeIndex + 1).map(describeEvent), `case ${c.id}: nothing after the close frame`).toEqual([]);
    expect(client.bytesAfterClose, `case ${c.id}: bytes written after the close frame (RFC 6455 §5.5.1)`).toBe(0);
    const code = closeEvent?.type === 'close' ? closeEvent.code : null;
    const reason = closeEvent?.type === 'close' ? closeEvent.reason.toString('utf8') : '';

    if (failing) {
      const allowed = typeof c.fail === 'number' ? [c.fail] : c.fail!;
      expect(allowed, `case ${c.id}: close code ${code} (reason ${JSON.stringify(reason)})`).toContain(code);
      // Project standard (not an RFC rule, so not checked against the ws reference): the reason names the broken rule.
      if (process.env['WIRE_TARGET'] !== 'ws') expect(reason.length, `case ${c.id}: a failing close carries a one-line reason`).toBeGreaterThan(0);
      expect(reason).not.toMatch(/[\r\n]/);
      // The server closes TCP itself (RFC 6455 §7.1.7); a reset is tolerated only because our own writes may race it.
      expect(['fin', 'reset'], `case ${c.id}: TCP end ${JSON.stringify(end)}`).toContain(end.how);
    } else {
      const allowed = c.closeCode === undefined ? [1000] : typeof c.closeCode === 'number' ? [c.closeCode] : c.closeCode;
      expect(allowed, `case ${c.id}: close code ${code} (reason ${JSON.stringify(reason)})`).toContain(code);
      // RFC 6455 §7.1.1: after the closing handshake the server closes TCP first, cleanly.
      expect(end.how, `case ${c.id}: TCP end ${JSON.stringify(end)}`).toBe('fin');
    }
    return { client, events, closeCode: code };
  } finally {
    client.destroy();
  }
}

/** Registers one test per case, each run against the target of the enclosing describe block. */
export function itRunsWireCases(target: () => EchoTarget, cases: readonly WireCase[]): void {
  for (const c of cases) {
    it(caseName(c), async () => {
      await runWireCase(target().port, c);
    });
  }
}
