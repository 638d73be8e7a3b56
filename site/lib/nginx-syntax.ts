/**
 * nginx configuration syntax, as far as WebSocket proxying needs it (lesson 9's config check reads it):
 * directives ending in ";", blocks in braces, "#" comments, single or double quotes, and nginx's time
 * values. Errors name the line, as nginx -t does.
 */

export interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  readonly line: number;
  readonly block?: readonly Directive[];
}

/** Tokenises and parses nginx syntax into nested directives. Throws an Error with a line number. */
export function parseNginx(text: string): Directive[] {
  const tokens: { value: string; line: number; quoted: boolean }[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '{' || c === '}' || c === ';') { tokens.push({ value: c, line, quoted: false }); i++; continue; }
    if (c === '"' || c === "'") {
      const start = line;
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        if (text[i] === '\n') line++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new Error(`line ${start}: a quoted string is not closed`);
      i++;
      tokens.push({ value, line: start, quoted: true });
      continue;
    }
    let value = '';
    while (i < text.length && !/[\s{};#]/.test(text[i]!)) value += text[i++];
    tokens.push({ value, line, quoted: false });
  }

  let position = 0;
  function block(depth: number): Directive[] {
    const directives: Directive[] = [];
    while (position < tokens.length) {
      const first = tokens[position]!;
      if (!first.quoted && first.value === '}') {
        if (depth === 0) throw new Error(`line ${first.line}: "}" without a matching "{"`);
        position++;
        return directives;
      }
      if (!first.quoted && (first.value === ';' || first.value === '{')) throw new Error(`line ${first.line}: unexpected "${first.value}"`);
      const args: string[] = [];
      position++;
      for (;;) {
        const token = tokens[position];
        if (token === undefined) throw new Error(`line ${first.line}: directive "${first.value}" is not terminated by ";"`);
        position++;
        if (!token.quoted && token.value === ';') { directives.push({ name: first.value, args, line: first.line }); break; }
        if (!token.quoted && token.value === '{') { directives.push({ name: first.value, args, line: first.line, block: block(depth + 1) }); break; }
        if (!token.quoted && token.value === '}') throw new Error(`line ${token.line}: directive "${first.value}" is not terminated by ";"`);
        args.push(token.value);
      }
    }
    if (depth > 0) throw new Error('unexpected end of configuration: a "{" is not closed');
    return directives;
  }
  return block(0);
}

/** nginx time syntax (e.g. "60", "75s", "1m30s", "1h", "500ms") in seconds; null when malformed. */
export function parseNginxTime(value: string): number | null {
  if (/^\d+$/.test(value)) return Number(value);
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  let rest = value;
  while (rest.length > 0) {
    const match = /^(\d+)(ms|s|m|h|d|w)/.exec(rest);
    if (match === null) return null;
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return value.length > 0 ? total : null;
}
