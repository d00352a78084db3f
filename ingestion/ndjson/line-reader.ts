/**
 * A streaming NDJSON line reader: splits bytes on LF (a CRLF's CR is dropped), decodes each
 * complete line as UTF-8 (so a character split across chunks is whole again), yields a last line
 * that has no newline, skips blank lines, and never holds more than one line (up to the limit)
 * in memory. See: https://github.com/ndjson/ndjson-spec
 */
import type { Readable } from 'node:stream';

export interface NdjsonLine {
  /** 1-based physical line number in the file. */
  row: number;
  /** The line's text without its line ending (for a too-long line: its first `keepBytes` bytes). */
  text: string;
  /** The line's length in bytes, without its line ending. */
  bytes: number;
  /** Set when the line exceeded `maxLineBytes`: the reason it cannot be read. */
  error?: string;
  /**
   * Bytes of the source read through this line's LF (the whole source for a last line without
   * one): where a reader resuming after this line starts.
   */
  end: number;
}

export interface LineReaderOptions {
  /** Longest line accepted, in bytes (default 16 MiB). */
  maxLineBytes?: number;
  /** Bytes of a too-long line kept in `text` (default 1 KiB). */
  keepBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = '\uFEFF';

export async function* readLines(
  source: Readable,
  options: LineReaderOptions = {},
): AsyncGenerator<NdjsonLine> {
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024;
  const keepBytes = Math.min(options.keepBytes ?? 1024, maxLineBytes);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowBytes = 0;
  let row = 0;
  let lastHeldByte = 0;

  const finish = (tail: Buffer, end: number): NdjsonLine | null => {
    row += 1;
    if (overflowBytes > 0) {
      const last = tail.length > 0 ? tail[tail.length - 1] : lastHeldByte;
      const bytes = pendingBytes + overflowBytes + tail.length - (last === CR ? 1 : 0);
      const kept = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      overflowBytes = 0;
      return {
        row,
        text: kept.toString('utf8'),
        bytes,
        error: `line longer than the ${maxLineBytes}-byte limit`,
        end,
      };
    }
    let line = pending.length ? Buffer.concat([...pending, tail]) : tail;
    pending = [];
    pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > maxLineBytes) {
      return {
        row,
        text: line.subarray(0, keepBytes).toString('utf8'),
        bytes: line.length,
        error: `line longer than the ${maxLineBytes}-byte limit`,
        end,
      };
    }
    let text = line.toString('utf8');
    if (row === 1 && text.startsWith(BOM)) text = text.slice(1);
    return text.trim() === '' ? null : { row, text, bytes: line.length, end };
  };

  const hold = (part: Buffer) => {
    lastHeldByte = part[part.length - 1]!;
    if (overflowBytes > 0) {
      overflowBytes += part.length;
      return;
    }
    if (pendingBytes + part.length <= maxLineBytes + 1) {
      pending.push(part);
      pendingBytes += part.length;
      return;
    }
    const kept = Buffer.concat([...pending, part]).subarray(0, keepBytes);
    overflowBytes = pendingBytes + part.length - kept.length;
    pending = [Buffer.from(kept)];
    pendingBytes = kept.length;
  };

  let offset = 0;
  for await (const chunk of source) {
    const buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(LF, start); nl !== -1; nl = buf.indexOf(LF, start)) {
      const line = finish(buf.subarray(start, nl), offset + nl + 1);
      start = nl + 1;
      if (line) yield line;
    }
    if (start < buf.length) hold(buf.subarray(start));
    offset += buf.length;
  }
  if (pendingBytes > 0 || overflowBytes > 0) {
    const line = finish(Buffer.alloc(0), offset);
    if (line) yield line;
  }
}
