import type { LogLine } from './runtime';

/**
 * Splits Docker's multiplexed log stream (8-byte frame headers: stream type, 3 zero bytes,
 * big-endian length) into lines per stream. Frames and lines may be cut anywhere by chunking.
 */
export class LogFrameParser {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };
  private readonly decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  push(chunk: Buffer): LogLine[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const lines: LogLine[] = [];
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) {
        break;
      }
      const stream = this.buffer[0] === 2 ? 'stderr' : 'stdout';
      const payload = this.buffer.subarray(8, 8 + size);
      this.buffer = this.buffer.subarray(8 + size);
      const text = this.partial[stream] + this.decoders[stream].decode(payload, { stream: true });
      const parts = text.split('\n');
      this.partial[stream] = parts.pop() ?? '';
      for (const line of parts) {
        lines.push({ stream, line });
      }
    }
    return lines;
  }

  /** Lines left without a trailing newline when the stream ends. */
  end(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].decode();
      if (rest) {
        lines.push({ stream, line: rest });
      }
      this.partial[stream] = '';
    }
    return lines;
  }
}
