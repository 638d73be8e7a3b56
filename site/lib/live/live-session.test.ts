import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabReport } from '../../../lab-server/src/reports/lab-report-types.ts';
import { LiveSession, SUBJECT_REPORT_WAIT_MS } from './live-session.ts';
import type { SessionEvent, SessionStatus } from './session-events.ts';

/**
 * The page's two sockets are two TCP connections: the browser may run the subject's open and close
 * before it has read the observer's `subject` report. These tests play the events in that order with
 * stand-in sockets, which a real browser does only now and then.
 */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  readonly url: string;
  readyState = FakeSocket.CONNECTING;
  binaryType = 'blob';
  extensions = '';
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
  }

  send(): void {}
  close(): void {}

  open(extensions = ''): void {
    this.readyState = FakeSocket.OPEN;
    this.extensions = extensions;
    this.onopen?.();
  }

  report(report: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(report) });
  }

  closed(code: number, wasClean: boolean): void {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason: '', wasClean });
  }
}

const OBSERVE_URL = 'ws://lab.test/lab/observe';
const SUBJECT_URL = 'ws://lab.test/lab?session=s1';

function startSession(): { observer: FakeSocket; events: SessionEvent[]; statuses: SessionStatus[]; session: LiveSession } {
  const events: SessionEvent[] = [];
  const statuses: SessionStatus[] = [];
  const session = new LiveSession(OBSERVE_URL, { event: (event) => events.push(event), status: (status) => statuses.push(status) });
  session.start();
  const observer = FakeSocket.all[0]!;
  observer.open();
  observer.report({ type: 'hello', t: 0, session: 's1', subjectUrl: SUBJECT_URL, protocolVersion: 1, previewBytes: 4096, inspect: null });
  return { observer, events, statuses, session };
}

/** The report the server sends when a subject's handshake arrives: it echoes the request target. */
function subjectReport(socket: FakeSocket, subject: number): Record<string, unknown> {
  const url = new URL(socket.url);
  return { type: 'subject', t: 1, subject, peer: '127.0.0.1:50000', target: `${url.pathname}${url.search}` } satisfies Partial<LabReport>;
}

function pageEvents(events: SessionEvent[]): SessionEvent[] {
  return events.filter((event) => event.type === 'page-open' || event.type === 'page-close');
}

describe('the live session names its own connections', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('tags each subject URL, so the server\'s report says which connection it is about', () => {
    const { session } = startSession();
    const first = FakeSocket.all[1]!;
    session.connect(false);
    const second = FakeSocket.all[2]!;
    expect(first.url).toBe(`${SUBJECT_URL}&conn=1`);
    expect(second.url).toBe(`${SUBJECT_URL}&deflate=off&conn=2`);
  });

  it('numbers the open and close that ran before the subject report, once it arrives', () => {
    const { observer, events, statuses } = startSession();
    const subject = FakeSocket.all[1]!;
    subject.open('permessage-deflate');
    expect(statuses.at(-1)).toEqual({ state: 'open', simulated: false });
    subject.closed(1006, false);
    expect(pageEvents(events)).toEqual([]);
    observer.report(subjectReport(subject, 1));
    expect(pageEvents(events)).toMatchObject([
      { type: 'page-open', subject: 1, extensions: 'permessage-deflate' },
      { type: 'page-close', subject: 1, code: 1006, wasClean: false },
    ]);
  });

  it('gives a reconnection\'s events its own number, not the previous connection\'s', () => {
    const { observer, events, session } = startSession();
    const first = FakeSocket.all[1]!;
    observer.report(subjectReport(first, 1));
    first.open();
    session.connect(true);
    const second = FakeSocket.all[2]!;
    first.closed(1000, true);
    second.open();
    second.closed(1006, false);
    observer.report(subjectReport(second, 2));
    expect(pageEvents(events)).toMatchObject([
      { type: 'page-open', subject: 1 },
      { type: 'page-close', subject: 1, code: 1000 },
      { type: 'page-open', subject: 2 },
      { type: 'page-close', subject: 2, code: 1006 },
    ]);
  });

  it('does not take the number of another client that joined the session', () => {
    const { observer, events } = startSession();
    const subject = FakeSocket.all[1]!;
    subject.open();
    observer.report({ type: 'subject', t: 1, subject: 1, peer: '127.0.0.1:50001', target: '/lab?session=s1' });
    observer.report({ type: 'subject', t: 2, subject: 2, peer: '127.0.0.1:50002', target: '/lab?session=s1&conn=1', relay: true });
    expect(pageEvents(events)).toEqual([]);
    observer.report(subjectReport(subject, 3));
    expect(pageEvents(events)).toMatchObject([{ type: 'page-open', subject: 3 }]);
  });

  it('shows a close without a number when no report comes: the observer closed, or the wait ran out', () => {
    const { observer, events, session } = startSession();
    const first = FakeSocket.all[1]!;
    first.closed(1006, false);
    vi.advanceTimersByTime(SUBJECT_REPORT_WAIT_MS - 1);
    expect(pageEvents(events)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(pageEvents(events)).toMatchObject([{ type: 'page-close', subject: null, code: 1006 }]);
    // A report after the wait does not number the close a second time.
    observer.report(subjectReport(first, 1));
    expect(pageEvents(events)).toHaveLength(1);

    session.connect(true);
    const second = FakeSocket.all[2]!;
    second.open();
    observer.closed(1006, false);
    expect(pageEvents(events)).toMatchObject([{ type: 'page-close' }, { type: 'page-open', subject: null }]);
  });
});
