/**
 * The contract between a transport and the endpoint it serves (/echo, /lab, an observer, the Node client):
 * the endpoint sees the connection's events and the socket's flow, the transport does all the I/O.
 */
import type { ConnectionEvent } from '../protocol/connection-types.ts';
import type { WebSocketTransport } from './transport.ts';

/** What a WebSocket endpoint (/echo, /lab, an observer, the Node client) does with a connection's events. */
export interface TransportHandler {
  /** Every event of the connection, in order; the handler may send (the transport flushes afterwards). */
  onEvent(transport: WebSocketTransport, event: ConnectionEvent): void;
  /** The socket's write buffer emptied (a slow reader caught up). */
  onDrain?(transport: WebSocketTransport): void;
  /**
   * Our writes to this peer piled up past maxWriteBufferBytes and reading from it stopped ('paused'),
   * or the socket drained and reading resumed ('drained'); bufferedBytes is the socket's unsent output.
   */
  onBackpressure?(transport: WebSocketTransport, state: 'paused' | 'drained', bufferedBytes: number): void;
  /** The TCP connection is gone; called once, after the 'closed' event. */
  onSocketClose?(transport: WebSocketTransport): void;
}
