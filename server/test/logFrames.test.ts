import { LogFrameParser } from '../src/runtime/logFrames';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('LogFrameParser', () => {
  test('splits frames into lines per stream, even when chunks cut headers, lines and characters', () => {
    const all = Buffer.concat([frame(1, 'hello\nwor'), frame(2, 'oops\n'), frame(1, 'ld ✓\nlast'), frame(2, 'tail')]);
    const parser = new LogFrameParser();
    const lines = [];
    for (let i = 0; i < all.length; i += 3) {
      lines.push(...parser.push(all.subarray(i, i + 3)));
    }
    lines.push(...parser.end());
    expect(lines).toEqual([
      { stream: 'stdout', line: 'hello' },
      { stream: 'stderr', line: 'oops' },
      { stream: 'stdout', line: 'world ✓' },
      { stream: 'stdout', line: 'last' },
      { stream: 'stderr', line: 'tail' }
    ]);
  });
});
