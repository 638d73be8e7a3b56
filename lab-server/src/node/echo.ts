import type { ConnectionEvent } from '../protocol/connection-types.ts';
import type { TransportHandler, WebSocketTransport } from './transport.ts';

/**
 * /echo: every text and binary message goes back as it came, text as text, binary as binary
 * (compressed when permessage-deflate was negotiated). Pings are answered by the core (RFC 6455
 * §5.5.2); the close handshake too. Stateless, so one handler serves every connection.
 */
export const echoHandler: TransportHandler = {
  onEvent(transport: WebSocketTransport, event: ConnectionEvent): void {
    // The validated bytes go back as they came: decoding was the UTF-8 check, encoding again would be waste.
    if (event.type === 'text') transport.connection.sendTextBytes(event.bytes);
    else if (event.type === 'binary') transport.connection.sendBinary(event.data);
  },
};
