/**
 * A minimal event-stream reader (HTML Living Standard §9.2.6, "Interpreting an event stream"): enough
 * for the simulated clients and the tests — `id:` and `data:` fields, comments, CRLF/LF/CR line ends,
 * events dispatched at a blank line. Pure: bytes in as text, messages out.
 */
export interface SseMessage {
  readonly id: string | null;
  readonly data: string;
}

export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #id: string | null = null;
  /** The last event ID, as an EventSource keeps it for Last-Event-ID on reconnect. */
  lastEventId = '';

  push(text: string): SseMessage[] {
    this.#buffer += text;
    const messages: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\n|\r/.exec(this.#buffer);
      // A lone CR at the end may be the first half of CRLF: wait for the next chunk.
      if (match === null || (match[0] === '\r' && match.index === this.#buffer.length - 1)) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (this.#id !== null) this.lastEventId = this.#id;
        if (this.#data.length > 0) messages.push({ id: this.#id ?? (this.lastEventId === '' ? null : this.lastEventId), data: this.#data.join('\n') });
        this.#data = [];
        this.#id = null;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.#data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.#id = value;
    }
    return messages;
  }
}
