import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type LineReaderOptions, type NdjsonLine, readLines } from './line-reader';

const collect = async (chunks: (string | Buffer)[], options?: LineReaderOptions): Promise<NdjsonLine[]> => {
  const out: NdjsonLine[] = [];
  for await (const line of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), options))
    out.push(line);
  return out;
};

describe('readLines', () => {
  it('splits LF and CRLF lines and keeps a last line that has no newline', async () => {
    expect(await collect(['{"a":1}\r\n{"b":2}\n{"c"', ':3}'])).toEqual([
      { row: 1, text: '{"a":1}', bytes: 7, end: 9 },
      { row: 2, text: '{"b":2}', bytes: 7, end: 17 },
      { row: 3, text: '{"c":3}', bytes: 7, end: 24 },
    ]);
  });

  it('joins a multi-byte character split across chunks', async () => {
    const bytes = Buffer.from('{"n":"Zoë 🩺"}\n');
    const chunks = Array.from(bytes, (b) => Buffer.from([b]));
    expect(await collect(chunks)).toEqual([
      { row: 1, text: '{"n":"Zoë 🩺"}', bytes: bytes.length - 1, end: bytes.length },
    ]);
  });

  it('skips blank lines but keeps physical row numbers and ignores a UTF-8 BOM', async () => {
    const lines = await collect(['\uFEFF{"a":1}\n\n   \r\n{"b":2}\n\n']);
    expect(lines.map((l) => [l.row, l.text, l.end])).toEqual([
      [1, '{"a":1}', 11],
      [4, '{"b":2}', 25],
    ]);
  });

  it('reports a line over the limit with its first bytes and reads on past it', async () => {
    const long = 'x'.repeat(5000);
    const lines = await collect(['{"a":1}\n', long.slice(0, 1200), long.slice(1200), '\r\n{"b":2}'], {
      maxLineBytes: 1000,
      keepBytes: 10,
    });
    expect(lines).toEqual([
      { row: 1, text: '{"a":1}', bytes: 7, end: 8 },
      { row: 2, text: 'xxxxxxxxxx', bytes: 5000, error: 'line longer than the 1000-byte limit', end: 5010 },
      { row: 3, text: '{"b":2}', bytes: 7, end: 5017 },
    ]);
  });

  it('reports an over-long line that arrives in one chunk, and one that ends the file', async () => {
    const lines = await collect([`${'y'.repeat(50)}\n${'z'.repeat(40)}`], { maxLineBytes: 30, keepBytes: 4 });
    expect(lines).toEqual([
      { row: 1, text: 'yyyy', bytes: 50, error: 'line longer than the 30-byte limit', end: 51 },
      { row: 2, text: 'zzzz', bytes: 40, error: 'line longer than the 30-byte limit', end: 91 },
    ]);
  });

  it('accepts a line of exactly the limit', async () => {
    const lines = await collect([`${'a'.repeat(15)}`, `${'a'.repeat(15)}\r\n`], { maxLineBytes: 30 });
    expect(lines).toEqual([{ row: 1, text: 'a'.repeat(30), bytes: 30, end: 32 }]);
  });

  it('holds no more than the limit while skipping a huge line', async () => {
    async function* huge() {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(1024 * 1024, 0x61);
      yield Buffer.from('\n{"ok":true}\n');
    }
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const out: NdjsonLine[] = [];
    for await (const line of readLines(Readable.from(huge()), { maxLineBytes: 1024 * 1024 })) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      out.push(line);
    }
    expect(out.map((l) => [l.row, l.bytes, l.error ?? null])).toEqual([
      [1, 64 * 1024 * 1024, 'line longer than the 1048576-byte limit'],
      [2, 11, null],
    ]);
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });
});
