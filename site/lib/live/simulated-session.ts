/**
 * The lab without a lab server: the protocol core's client Connection (standing in for the browser) and
 * its server Connection (standing in for the lab server) wired together in memory. The server side
 * reports what it sees in the same LabReport shapes the real /lab endpoint sends (frameRecordToJson),
 * so the live page draws a simulation exactly as it draws live traffic. Synchronous: every action is
 * carried through both connections before it returns.
 */
import { CloseCode, DEFAULT_RECORD_PREVIEW_BYTES } from '../../../lab-server/src/protocol/constants.ts';
import { Connection } from '../../../lab-server/src/protocol/connection.ts';
import type { ConnectionEvent } from '../../../lab-server/src/protocol/connection-types.ts';
import { acceptSteps } from '../../../lab-server/src/protocol/handshake/accept.ts';
import { createClientHandshake, validateServerResponse } from '../../../lab-server/src/protocol/handshake/client.ts';
import { parseRequestHead, parseResponseHead } from '../../../lab-server/src/protocol/handshake/http-head.ts';
import { acceptClientHandshake } from '../../../lab-server/src/protocol/handshake/server.ts';
import { isRejection } from '../../../lab-server/src/protocol/handshake/types.ts';
import { encodeUtf8 } from '../../../lab-server/src/protocol/utf8.ts';
import { frameRecordToJson, textPreview, toHex, violationToJson } from '../../../lab-server/src/reports/frame-record-json.ts';
import type { LabCommand, LabReport } from '../../../lab-server/src/reports/lab-report-types.ts';
import { parseLabCommand } from '../../../lab-server/src/reports/lab-command-parse.ts';
import { clientVerdict, serverViolationFrame } from '../../../lab-server/src/reports/server-violation-frames.ts';
import { writeFragmented, writeInterleaved } from '../../../lab-server/src/reports/fragmented-message.ts';
import type { ProtocolViolation } from '../../../lab-server/src/protocol/violation.ts';
import { SimulatedDeflate } from './deflate-codec.ts';
import type { CommandRequest, DriverListener, LabDriver, PageEvent } from './session-events.ts';

export const SIMULATED_SESSION = 'simulation';
const SIMULATED_HOST = 'lab.simulation';
/** send-interleaved: three fragments, a ping after the first and a pong after the second. */


/** Why a report carries the fields it does: the JSON a real /lab observer would receive. */
type ReportFields = LabReport extends infer R ? (R extends LabReport ? Omit<R, 't'> : never) : never;

export class SimulatedSession implements LabDriver {
  readonly simulated = true;
  readonly #listener: DriverListener;
  readonly #origin: string;
  readonly #startedAt = performance.now();
  #client: Connection | null = null;
  #server: Connection | null = null;
  #subject = 0;
  #nextId = 1;
  #clientClosed = false;
  #serverClosed = false;
  /** permessage-deflate was negotiated on the current connection (RFC 7692). */
  #compressing = false;
  /** The rule the next frame the server writes breaks (a violation command). */
  #expectedViolation: ProtocolViolation | null = null;

  constructor(listener: DriverListener, origin = 'http://localhost') {
    this.#listener = listener;
    this.#origin = origin;
  }

  start(deflate = true): void {
    this.#report({ type: 'hello', session: SIMULATED_SESSION, subjectUrl: `ws://${SIMULATED_HOST}/lab?session=${SIMULATED_SESSION}`, protocolVersion: 1, previewBytes: DEFAULT_RECORD_PREVIEW_BYTES, inspect: null });
    this.connect(deflate);
  }

  /** A new subject connection: the core's client handshake, read and answered by the core's server handshake. */
  connect(deflate: boolean): void {
    if (this.#client !== null && this.#client.state === 'open') this.closeSubject(CloseCode.Normal, 'reconnecting');
    const subject = ++this.#subject;
    this.#listener.status({ state: 'connecting' });
    const path = `/lab?session=${SIMULATED_SESSION}${deflate ? '' : '&deflate=off'}`;
    // The offer Chromium makes on every connection, so the request reads like a browser's.
    const sent = createClientHandshake({ host: SIMULATED_HOST, path, origin: this.#origin, deflate: true });
    this.#report({ type: 'subject', subject, peer: 'simulated client', target: path });
    this.#report({ type: 'handshake-request', subject, raw: sent.request });
    const request = parseRequestHead(sent.request);
    if (isRejection(request)) throw new Error(`the core's own request did not parse: ${request.reason}`);
    // Like the lab server: accept the offer as made, unless the URL asked for ?deflate=off.
    const result = acceptClientHandshake(request, { deflate: deflate ? {} : false });
    if (result.ok) this.#report({ type: 'accept', subject, ...acceptSteps(result.key) });
    this.#report({
      type: 'handshake-response', subject, status: result.response.status, raw: result.response.raw,
      ...(result.ok ? {} : { reason: result.rejection.reason, section: result.rejection.section }),
    });
    if (!result.ok) return;
    this.#report({ type: 'negotiated', subject, protocol: result.protocol, extensions: result.extensionsHeader, deflate: result.deflate, declinedOffers: result.declinedOffers });
    const response = parseResponseHead(result.response.raw);
    const checked = isRejection(response) ? { ok: false as const, reason: response.reason } : validateServerResponse(response, { key: sent.key, deflateOffered: sent.deflateOffer !== null, deflateOffer: sent.deflateOffer });
    if (!checked.ok) {
      this.#page({ type: 'page-error', t: this.#now(), message: `The simulated client refused the response: ${checked.reason}` });
      return;
    }
    // Both ends compress with the simulation's own DEFLATE (deflate-codec.ts): there is no zlib in a browser.
    this.#compressing = checked.deflate !== null;
    this.#client = new Connection({ role: 'client', ...(checked.deflate === null ? {} : { compressor: new SimulatedDeflate() }) });
    this.#server = new Connection({ role: 'server', recordPreviewBytes: DEFAULT_RECORD_PREVIEW_BYTES, ...(result.deflate === null ? {} : { compressor: new SimulatedDeflate() }) });
    this.#clientClosed = false;
    this.#serverClosed = false;
    this.#page({ type: 'page-open', t: this.#now(), subject, extensions: result.extensionsHeader ?? '' });
    this.#listener.status({ state: 'open', simulated: true });
  }

  sendText(text: string): boolean {
    if (this.#client === null || !this.#client.sendText(text)) return false;
    this.#pump();
    return true;
  }

  sendBinary(bytes: Uint8Array): boolean {
    if (this.#client === null || !this.#client.sendBinary(bytes.slice())) return false;
    this.#pump();
    return true;
  }

  closeSubject(code: number = CloseCode.Normal, reason = ''): void {
    if (this.#client === null) return;
    this.#client.close(code, reason);
    this.#pump();
  }

  stop(): void {
    this.closeSubject(CloseCode.GoingAway, 'session ended');
    this.#client = null;
    this.#server = null;
  }

  command(request: CommandRequest): number | null {
    const command = { ...request, id: this.#nextId++ } as LabCommand;
    this.#page({ type: 'page-command', t: this.#now(), command });
    // The lab server's own reader checks the command, so the simulation refuses what the server refuses.
    const parsed = parseLabCommand(JSON.stringify(command));
    const error = parsed.ok ? this.#run(parsed.command) : parsed.error;
    this.#report({ type: 'command-result', id: command.id, subject: this.#server === null ? null : this.#subject, ok: error === null, ...(error === null ? {} : { error }) });
    this.#pump();
    return command.id;
  }

  /** Carries out one command on the server side as lab-server/src/node/lab-commands.ts does; null, or why not. */
  #run(command: LabCommand): string | null {
    const server = this.#server;
    if (server === null || server.state !== 'open') return 'no open subject connection: connect one first';
    try {
      switch (command.type) {
        case 'ping':
          server.ping(encodeUtf8(command.text ?? ''));
          return null;
        case 'send-fragmented': {
          const bytes = encodeUtf8(command.text);
          writeFragmented(server, bytes, command.fragments);
          this.#reportSent('text', bytes.length, command.text);
          return null;
        }
        case 'send-compressed': {
          if (!this.#compressing) {
            return `permessage-deflate was not negotiated on subject ${this.#subject} (RFC 7692 §6): connect with it offered, without ?deflate=off`;
          }
          const bytes = encodeUtf8(command.text);
          server.sendTextBytes(bytes, { compress: true });
          this.#reportSent('text', bytes.length, command.text, undefined, true);
          return null;
        }
        case 'send-interleaved': {
          const bytes = encodeUtf8(command.text);
          writeInterleaved(server, bytes);
          this.#reportSent('text', bytes.length, command.text);
          return null;
        }
        case 'close':
          server.close(command.code, command.reason);
          return null;
        case 'violation': {
          const frame = serverViolationFrame(command.kind);
          // The report of the broken frame names the rule the client will apply, as the lab server's does.
          this.#expectedViolation = clientVerdict(frame);
          server.sendRawFrame(frame);
          return null;
        }
        case 'send-large': {
          const data = Uint8Array.from({ length: command.bytes }, (_, i) => i & 0xff);
          // Uncompressed, so the bytes on the wire are the size asked for.
          server.sendBinary(data, { compress: false });
          this.#reportSent('binary', data.length, null, data);
          return null;
        }
      }
    } catch (error) {
      return (error as Error).message;
    }
  }

  #reportSent(opcodeName: 'text' | 'binary', byteLength: number, text: string | null, data?: Uint8Array, compressed = false): void {
    const preview = text !== null
      ? textPreview(text, DEFAULT_RECORD_PREVIEW_BYTES)
      : { hex: toHex(data!.subarray(0, DEFAULT_RECORD_PREVIEW_BYTES)), truncated: data!.length > DEFAULT_RECORD_PREVIEW_BYTES };
    this.#report({ type: 'message', subject: this.#subject, direction: 'server-to-client', opcodeName, byteLength, compressed, ...preview });
  }

  /** Moves bytes both ways and handles events until both connections have nothing more to say. */
  #pump(): void {
    const client = this.#client;
    const server = this.#server;
    if (client === null || server === null) return;
    for (let rounds = 0; rounds < 1000; rounds++) {
      let busy = false;
      for (let events = server.takeEvents(); events.length > 0; events = server.takeEvents()) {
        busy = true;
        for (const event of events) this.#onServerEvent(server, event);
      }
      for (const chunk of server.takeOutgoing()) {
        busy = true;
        client.receive(chunk);
      }
      for (let events = client.takeEvents(); events.length > 0; events = client.takeEvents()) {
        busy = true;
        for (const event of events) this.#onClientEvent(event);
      }
      for (const chunk of client.takeOutgoing()) {
        busy = true;
        server.receive(chunk);
      }
      if (!busy) break;
    }
    if (this.#clientClosed && this.#serverClosed) {
      // The server closes TCP first after a clean close (RFC 6455 §7.1.1); in memory, both ends at once.
      this.#report({ type: 'tcp-closed', subject: this.#subject });
      this.#client = null;
      this.#server = null;
      this.#listener.status({ state: 'closed', simulated: true });
    }
  }

  /** The server's events, reported as the lab server reports them (lab-server/src/node/lab.ts). */
  #onServerEvent(server: Connection, event: ConnectionEvent): void {
    const subject = this.#subject;
    switch (event.type) {
      case 'frame': {
        let record = event.record;
        if (this.#expectedViolation !== null && record.direction === 'server-to-client') {
          record = { ...record, violation: this.#expectedViolation };
          this.#expectedViolation = null;
        }
        this.#report({ type: 'frame', subject, direction: record.direction, record: frameRecordToJson(record) });
        break;
      }
      case 'text':
        this.#report({ type: 'message', subject, direction: 'client-to-server', opcodeName: 'text', byteLength: event.byteLength, compressed: event.compressed, ...textPreview(event.text, DEFAULT_RECORD_PREVIEW_BYTES) });
        server.sendText(event.text);
        this.#report({ type: 'message', subject, direction: 'server-to-client', opcodeName: 'text', byteLength: event.byteLength, compressed: this.#compressing, ...textPreview(event.text, DEFAULT_RECORD_PREVIEW_BYTES) });
        break;
      case 'binary': {
        const preview = { hex: toHex(event.data.subarray(0, DEFAULT_RECORD_PREVIEW_BYTES)), truncated: event.data.length > DEFAULT_RECORD_PREVIEW_BYTES };
        this.#report({ type: 'message', subject, direction: 'client-to-server', opcodeName: 'binary', byteLength: event.data.length, compressed: event.compressed, ...preview });
        server.sendBinary(event.data);
        this.#report({ type: 'message', subject, direction: 'server-to-client', opcodeName: 'binary', byteLength: event.data.length, compressed: this.#compressing, ...preview });
        break;
      }
      case 'ping':
      case 'pong':
        this.#report({ type: event.type, subject, direction: 'client-to-server', hex: toHex(event.data) });
        break;
      case 'close-received':
        this.#report({ type: 'close-received', subject, code: event.code, reason: event.reason });
        break;
      case 'violation':
        this.#report({ type: 'violation', subject, ...violationToJson(event.violation) });
        break;
      case 'closed':
        this.#serverClosed = true;
        this.#report({ type: 'closed', subject, code: event.code, reason: event.reason, wasClean: event.wasClean });
        break;
    }
  }

  /** The client's close is what a browser would report to its page as the close event. */
  #onClientEvent(event: ConnectionEvent): void {
    if (event.type !== 'closed') return;
    this.#clientClosed = true;
    this.#page({ type: 'page-close', t: this.#now(), subject: this.#subject, code: event.code, reason: event.reason, wasClean: event.wasClean });
  }

  #now(): number {
    return Math.round((performance.now() - this.#startedAt) * 1000) / 1000;
  }

  #report(fields: ReportFields): void {
    this.#listener.event({ ...fields, t: this.#now() } as LabReport);
  }

  #page(event: PageEvent): void {
    this.#listener.event(event);
  }
}
