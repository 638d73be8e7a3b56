/**
 * The live lab, in the browser: an observer WebSocket on /lab/observe receives the reports, and the
 * page's own subject WebSocket (at hello.subjectUrl) is the connection being studied. Commands go to
 * the server as JSON on the observer socket (docs/lab-protocol.md).
 */
import type { LabCommand, LabReport } from '../../../lab-server/src/reports/lab-report-types.ts';
import { PageConnections } from './page-connections.ts';
import type { CommandRequest, DriverListener, LabDriver, PageEvent } from './session-events.ts';

/** How long to wait for the observer's hello before saying no lab server answered. */
export const OBSERVE_TIMEOUT_MS = 4000;

/**
 * How long a closed connection's page events wait for the server's \`subject\` report (which names the
 * connection) before they are shown without a number. It normally arrives within milliseconds.
 */
export const SUBJECT_REPORT_WAIT_MS = 5000;

export const START_HINT = 'Start the lab server with npm ci && npm start and open the address it prints.';

/**
 * ws(s)://host/lab/observe for this page, or why there can be none (a static copy under a base path).
 * With watchInspect, the observer also receives the reports of connections relayed by `--inspect`
 * (relay: true); a server started without it says so with hello.inspect = null.
 */
export function observeUrl(location: Pick<Location, 'protocol' | 'host'>, base: string, watchInspect = false): { ok: true; url: string } | { ok: false; reason: string } {
  // The lab server serves the site at "/": a copy under a base path is a static host with no endpoints.
  if (base.replace(/\/$/, '') !== '') return { ok: false, reason: 'This is a static copy of the site: there is no lab server behind it.' };
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return { ok: false, reason: 'This page was not served over HTTP, so there is no lab server to ask.' };
  return { ok: true, url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/lab/observe${watchInspect ? '?watch=inspect' : ''}` };
}

/** The subject URL for the next connection; `&deflate=off` asks the server to decline permessage-deflate. */
export function subjectUrlFor(subjectUrl: string, deflate: boolean): string {
  return deflate ? subjectUrl : `${subjectUrl}${subjectUrl.includes('?') ? '&' : '?'}deflate=off`;
}

export class LiveSession implements LabDriver {
  readonly simulated = false;
  readonly #url: string;
  readonly #listener: DriverListener;
  #observer: WebSocket | null = null;
  #subject: WebSocket | null = null;
  #subjectUrl: string | null = null;
  /** performance.now() when hello arrived: the page's events go on the server's clock from there. */
  #helloAt = 0;
  #helloT = 0;
  #nextId = 1;
  readonly #connections = new PageConnections((event) => this.#page(event));
  #wantDeflate: boolean;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(url: string, listener: DriverListener, deflate = true) {
    this.#url = url;
    this.#listener = listener;
    this.#wantDeflate = deflate;
  }

  start(): void {
    this.#listener.status({ state: 'connecting' });
    let observer: WebSocket;
    try {
      observer = new WebSocket(this.#url);
    } catch (error) {
      this.#listener.status({ state: 'absent', reason: `The lab address could not be opened (${(error as Error).message}).` });
      return;
    }
    this.#observer = observer;
    let greeted = false;
    this.#timer = setTimeout(() => {
      if (greeted) return;
      observer.close();
      this.#listener.status({ state: 'absent', reason: 'No lab server answered on this origin in time.' });
    }, OBSERVE_TIMEOUT_MS);
    observer.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let report: LabReport;
      try {
        report = JSON.parse(message.data) as LabReport;
      } catch {
        return;
      }
      if (report.type === 'hello') {
        greeted = true;
        this.#clearTimer();
        this.#helloAt = performance.now();
        this.#helloT = report.t;
        this.#subjectUrl = report.subjectUrl;
        this.#listener.event(report);
        this.connect(this.#wantDeflate);
        return;
      }
      this.#listener.event(report);
      if (report.type === 'subject' && report.relay !== true) this.#connections.identify(report.target, report.subject);
    };
    observer.onerror = () => {
      if (greeted) return;
      this.#clearTimer();
      this.#listener.status({ state: 'absent', reason: 'No lab server answered on this origin: the connection to /lab/observe was refused.' });
    };
    observer.onclose = () => {
      this.#clearTimer();
      // No more subject reports: what still waits for one is shown without a number.
      this.#connections.giveUpAll();
      if (greeted) {
        this.#page({ type: 'page-error', t: this.#now(), message: 'The observer connection closed: the session has ended.' });
        this.#listener.status({ state: 'closed', simulated: false });
      }
    };
  }

  connect(deflate: boolean): void {
    this.#wantDeflate = deflate;
    // The session ended with its observer (the server restarted?): open a new one, which then connects.
    if (this.#observer === null || this.#observer.readyState === WebSocket.CLOSED || this.#observer.readyState === WebSocket.CLOSING) {
      this.#subjectUrl = null;
      this.start();
      return;
    }
    if (this.#subjectUrl === null) return;
    this.#subject?.close(1000, 'reconnecting');
    // Tagged, so that the server's 'subject' report, on the other socket, tells which number it got.
    const { url, tag } = this.#connections.open(subjectUrlFor(this.#subjectUrl, deflate));
    const subject = new WebSocket(url);
    subject.binaryType = 'arraybuffer';
    this.#subject = subject;
    this.#listener.status({ state: 'connecting' });
    subject.onopen = () => {
      const t = this.#now();
      const extensions = subject.extensions;
      this.#connections.event(tag, (number) => ({ type: 'page-open', t, subject: number, extensions }));
      this.#listener.status({ state: 'open', simulated: false });
    };
    subject.onclose = (event) => {
      const t = this.#now();
      const { code, reason, wasClean } = event;
      this.#connections.event(tag, (number) => ({ type: 'page-close', t, subject: number, code, reason, wasClean }));
      this.#connections.closed(tag);
      if (this.#connections.waiting(tag)) setTimeout(() => this.#connections.giveUp(tag), SUBJECT_REPORT_WAIT_MS);
      if (this.#subject === subject) this.#listener.status({ state: 'closed', simulated: false });
    };
    subject.onerror = () => {
      this.#page({ type: 'page-error', t: this.#now(), message: 'Your browser reported an error event on its socket (it never says why: RFC 6455 §7.1.7 leaves that to the close code).' });
    };
  }

  sendText(text: string): boolean {
    if (this.#subject?.readyState !== WebSocket.OPEN) return false;
    this.#subject.send(text);
    return true;
  }

  sendBinary(bytes: Uint8Array): boolean {
    if (this.#subject?.readyState !== WebSocket.OPEN) return false;
    this.#subject.send(bytes.slice() as Uint8Array<ArrayBuffer>);
    return true;
  }

  command(request: CommandRequest): number | null {
    if (this.#observer?.readyState !== WebSocket.OPEN) return null;
    const command = { ...request, id: this.#nextId++ } as LabCommand;
    this.#observer.send(JSON.stringify(command));
    this.#page({ type: 'page-command', t: this.#now(), command });
    return command.id;
  }

  closeSubject(code = 1000, reason = ''): void {
    this.#subject?.close(code, reason);
  }

  stop(): void {
    this.#clearTimer();
    this.#subject?.close(1000, 'session ended');
    if (this.#observer !== null) {
      this.#observer.onclose = null;
      this.#observer.close(1000, 'session ended');
    }
    this.#subject = null;
    this.#observer = null;
  }

  #now(): number {
    return Math.round((this.#helloT + performance.now() - this.#helloAt) * 1000) / 1000;
  }

  #page(event: PageEvent): void {
    this.#listener.event(event);
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
