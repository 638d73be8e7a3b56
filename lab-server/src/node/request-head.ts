/**
 * The first thing the server does with a new socket: read one HTTP request head, bounded in size and in time,
 * byte-exact (so /lab can show it as received). A head that is too large, unreadable or too slow gets its HTTP
 * status with a one-line reason (431, 400, 408) and the socket is closed; a readable head goes to `onHead`.
 */
import type { Socket } from 'node:net';
import { HttpHeadReader, type HeadAndRest } from '../protocol/handshake/head-reader.ts';
import { parseRequestHead } from '../protocol/handshake/http-head.ts';
import { isRejection, type HandshakeRejection, type HandshakeRequest } from '../protocol/handshake/types.ts';
import { rejectionText, sendRejection, serverRejection } from './http-reply.ts';
import { LOG_PREFIX, type LogSink } from './log.ts';

export interface RequestHeadLimits {
  readonly log: LogSink;
  readonly maxHeadBytes: number;
  /** A head not complete within this time gets 408 (the 10 s handshake bound). */
  readonly handshakeTimeoutMs: number;
  readonly rejectLingerMs: number;
}

/**
 * Reads the head of the socket's first request. `onHead` gets the parsed request and the raw bytes: the head
 * and whatever came behind it (a WebSocket client's first frames, or a request body), with the socket's own
 * 'data' listener removed, so the caller decides who reads next.
 */
export function readRequestHead(
  socket: Socket,
  peer: string,
  limits: RequestHeadLimits,
  onHead: (request: HandshakeRequest, raw: HeadAndRest) => void,
): void {
  const { log, handshakeTimeoutMs, rejectLingerMs } = limits;
  const reader = new HttpHeadReader(limits.maxHeadBytes);
  const refuse = (rejection: HandshakeRejection): void => {
    log(`${LOG_PREFIX} ${peer} rejected: ${rejection.status} ${rejection.reason} (${rejection.section})`);
    sendRejection(socket, rejectionText(rejection), rejectLingerMs);
  };
  const onData = (chunk: Buffer): void => {
    const result = reader.push(chunk);
    if (result === null) return;
    socket.off('data', onData);
    socket.off('close', onClose);
    clearTimeout(timer);
    if (isRejection(result)) return refuse(result);
    const request = parseRequestHead(result.head);
    if (isRejection(request)) return refuse(request);
    onHead(request, result);
  };
  const onClose = (): void => clearTimeout(timer);
  const onTimeout = (): void => {
    socket.off('data', onData);
    socket.off('close', onClose);
    log(`${LOG_PREFIX} ${peer} handshake timed out: no complete request head within ${handshakeTimeoutMs} ms`);
    const refusal = serverRejection(408, 'RFC 9110 §15.5.9', `no complete request head within ${handshakeTimeoutMs} ms`);
    sendRejection(socket, rejectionText(refusal), rejectLingerMs);
  };
  socket.on('data', onData);
  socket.once('close', onClose);
  // A plain timer, cleared when the head is complete (or the socket leaves): socket.setTimeout would
  // leave a spent Timeout object on every WebSocket for its whole life (idle connections must stay cheap).
  const timer = setTimeout(onTimeout, handshakeTimeoutMs);
}
