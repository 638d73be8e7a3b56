/**
 * Figure 5: in-process parse throughput of masked frames, lab FrameParser against ws's Receiver, 64 B, 16 KiB and
 * 1 MiB payloads fed in 64 KiB chunks. The core unmasks as the lab server runs it: with the native addon the server
 * injects (node/native-unmask.ts) when it was built, as ws runs with bufferutil. Diagnostics: the lab's Connection
 * (the message layer /echo runs on) against the same Receiver, including text (UTF-8 validation) where ws uses
 * Node's native isUtf8; and the core with its own WebAssembly unmasking, as the browser runs it.
 */
import { Opcode } from '../../src/protocol/constants.ts';
import { useHostMasker } from '../../src/protocol/frame/mask.ts';
import { loadNativeMasker } from '../../src/node/native-unmask.ts';
import { selected, type BenchSettings } from '../options.ts';
import { makeFigure, type Figure } from '../report.ts';
import { buildParseInput, chunksOf, type ParseInput } from './parse-input.ts';
import { labFrameParser, loadLabConnection, newSink, wsReceiver, type ParserFactory } from './parsers.ts';

const KIB = 1024;
const MIB = 1024 * 1024;

interface ParseCase {
  readonly id: string;
  readonly label: string;
  readonly size: number;
  readonly opcode: Opcode;
  readonly lab: 'parser' | 'connection';
  /** 'server': as the lab server runs the core (native unmasking when built); 'browser': WebAssembly only. */
  readonly unmasking: 'server' | 'browser';
}

export const PARSE_CASES: readonly ParseCase[] = [
  { id: 'parse-64', label: 'parse 64 B masked frames', size: 64, opcode: Opcode.Binary, lab: 'parser', unmasking: 'server' },
  { id: 'parse-16k', label: 'parse 16 KiB masked frames', size: 16 * KIB, opcode: Opcode.Binary, lab: 'parser', unmasking: 'server' },
  { id: 'parse-1m', label: 'parse 1 MiB masked frames', size: MIB, opcode: Opcode.Binary, lab: 'parser', unmasking: 'server' },
  { id: 'parse-conn-64', label: 'Connection vs Receiver, 64 B binary', size: 64, opcode: Opcode.Binary, lab: 'connection', unmasking: 'server' },
  { id: 'parse-conn-16k-text', label: 'Connection vs Receiver, 16 KiB text', size: 16 * KIB, opcode: Opcode.Text, lab: 'connection', unmasking: 'server' },
  { id: 'parse-browser-16k', label: 'parse 16 KiB, WebAssembly unmasking (as in a browser)', size: 16 * KIB, opcode: Opcode.Binary, lab: 'parser', unmasking: 'browser' },
  { id: 'parse-browser-1m', label: 'parse 1 MiB, WebAssembly unmasking (as in a browser)', size: MIB, opcode: Opcode.Binary, lab: 'parser', unmasking: 'browser' },
];

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Before timing: both implementations must deliver exactly the unmasked payloads. */
function verify(name: string, factory: ParserFactory, input: ParseInput): void {
  const sink = newSink(true);
  const parser = factory(sink);
  for (const chunk of chunksOf(Buffer.from(input.stream))) parser.push(chunk);
  const kept = sink.kept ?? [];
  if (kept.length !== input.frameCount) throw new Error(`${name}: delivered ${kept.length} of ${input.frameCount} payloads`);
  for (let i = 0; i < kept.length; i++) {
    if (!Buffer.from(kept[i] as Uint8Array).equals(input.payloads[i] as Buffer)) {
      throw new Error(`${name}: payload ${i} differs from what was sent`);
    }
  }
}

interface Rates {
  readonly mbPerSecond: number;
  readonly framesPerSecond: number;
}

/**
 * Feeds the stream again and again for about `durationMs` of parsing time. The parsers unmask in place (both
 * document it), so the working copy is restored from the pristine stream before every pass; only the pushes are
 * timed, not the restore.
 */
async function timeParser(factory: ParserFactory, input: ParseInput, working: Buffer, durationMs: number): Promise<Rates> {
  const chunks = chunksOf(working);
  const sink = newSink(false);
  const parser = factory(sink);
  let elapsed = 0;
  do {
    working.set(input.stream);
    const start = performance.now();
    for (let i = 0; i < chunks.length; i++) parser.push(chunks[i] as Buffer);
    elapsed += performance.now() - start;
    // Let ws's Writable run its deferred callbacks, as a socket's event loop would.
    await immediate();
  } while (elapsed < durationMs);
  const seconds = elapsed / 1000;
  return { mbPerSecond: sink.bytes / 1e6 / seconds, framesPerSecond: sink.messages / seconds };
}

export async function runParseFigures(settings: BenchSettings, log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const labConnection = await loadLabConnection();
  const nativeMasker = loadNativeMasker();
  log(`  lab unmasking as the server runs it: ${nativeMasker === null ? 'WebAssembly (the native addon is not built)' : 'native (lab-server/native)'}`);
  for (const parseCase of PARSE_CASES) {
    if (!selected(settings, parseCase.id)) continue;
    useHostMasker(parseCase.unmasking === 'server' ? nativeMasker : null);
    const labFactory = parseCase.lab === 'parser' ? labFrameParser : labConnection;
    if (labFactory === null) {
      log(`  ${parseCase.id}: skipped (lab-server/src/protocol/connection.ts not available)`);
      continue;
    }
    const input = buildParseInput(parseCase.size, parseCase.opcode);
    verify(`lab ${parseCase.lab}`, labFactory, input);
    verify('ws Receiver', wsReceiver, input);
    const working = Buffer.allocUnsafe(input.stream.length);
    // Warm-up (JIT) for both, not recorded.
    await timeParser(labFactory, input, working, settings.parseMs / 2);
    await timeParser(wsReceiver, input, working, settings.parseMs / 2);
    const lab: Rates[] = [];
    const ws: Rates[] = [];
    for (let round = 0; round < settings.parseRounds; round++) {
      lab.push(await timeParser(labFactory, input, working, settings.parseMs));
      ws.push(await timeParser(wsReceiver, input, working, settings.parseMs));
    }
    const labMb = lab.map((r) => r.mbPerSecond);
    const wsMb = ws.map((r) => r.mbPerSecond);
    log(`  ${parseCase.id}: lab ${labMb.map((v) => v.toFixed(0)).join(' ')} MB/s | ws ${wsMb.map((v) => v.toFixed(0)).join(' ')} MB/s`);
    const diagnostic = parseCase.lab === 'connection' || parseCase.unmasking === 'browser';
    figures.push(makeFigure(parseCase.id, parseCase.label, 'MB/s', 'higher', labMb, wsMb, diagnostic));
    figures.push(
      makeFigure(
        `${parseCase.id}-frames`,
        parseCase.label,
        parseCase.lab === 'parser' ? 'frames/s' : 'msgs/s',
        'higher',
        lab.map((r) => r.framesPerSecond),
        ws.map((r) => r.framesPerSecond),
        diagnostic,
      ),
    );
  }
  return figures;
}
