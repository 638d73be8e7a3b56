import type { ConnectionEvent } from '../protocol/connection-types.ts';
import type { EchoMemory } from './echo-memory.ts';
import type { WebSocketTransport } from './transport.ts';
import type { TransportHandler } from './transport-handler.ts';

/**
 * /echo: every text and binary message goes back as it came, text as text, binary as binary
 * (compressed when permessage-deflate was negotiated). Pings are answered by the core (RFC 6455
 * §5.5.2); the close handshake too. No state per connection, so one handler serves every connection
 * of a server; large payloads' buffers go back to the server's EchoMemory once their echo is written.
 */
export function createEchoHandler(memory: EchoMemory): TransportHandler {
  return {
    onEvent(transport: WebSocketTransport, event: ConnectionEvent): void {
      let sent: Uint8Array;
      // The validated bytes go back as they came: decoding was the UTF-8 check, encoding again would be waste.
      if (event.type === 'text') transport.connection.sendTextBytes((sent = event.bytes));
      else if (event.type === 'binary') transport.connection.sendBinary((sent = event.data));
      else return;
      if (memory.lent(sent)) transport.afterWritten(() => memory.giveBack(sent));
    },
  };
}
