/**
 * The stream sink the CLI writes stdout and stderr through: it gathers short writes into few large ones, writes as
 * soon as the event loop turns, keeps the order, and waits when the stream asks it to (backpressure).
 */
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SINK_BUFFER_CHARS, streamSink } from '../../../lambda/cli/io';

/** A stream that records each write it receives; `accept` says whether it takes more (false: backpressure). */
function recordingStream(accept: () => boolean = () => true): Writable & { chunks: string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      if (accept()) callback();
      else setTimeout(callback, 20);
    },
  });
  return Object.assign(stream, { chunks });
}

/** Lets the event loop turn once (the sink's scheduled write runs). */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('streamSink', () => {
  it('writes many short lines as one write, in order, once the event loop turns', async () => {
    const stream = recordingStream();
    const sink = streamSink(stream);
    const lines = Array.from({ length: 1000 }, (_, index) => `line ${index}\n`);

    for (const line of lines) await sink.write(line);
    const beforeTurn = stream.chunks.length;
    await turn();

    expect({ beforeTurn, chunks: stream.chunks }).toEqual({ beforeTurn: 0, chunks: [lines.join('')] });
  });

  it('flushSync writes what has gathered at once, to the file descriptor when the stream has one, and only once', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'trail-audit-sink-'));
    const file = await open(join(folder, 'out'), 'w');
    try {
      const stream = Object.assign(recordingStream(), { fd: file.fd });
      const sink = streamSink(stream);

      await sink.write('summary line\n');
      sink.flushSync();
      const atOnce = await readFile(join(folder, 'out'), 'utf8');
      await turn();

      expect({ atOnce, streamWrites: stream.chunks }).toEqual({ atOnce: 'summary line\n', streamWrites: [] });
    } finally {
      await file.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('flushSync writes through the stream when it has no file descriptor', async () => {
    const stream = recordingStream();
    const sink = streamSink(stream);

    await sink.write('a\n');
    await sink.write('b\n');
    sink.flushSync();
    const atOnce = [...stream.chunks];
    await turn();

    expect({ atOnce, after: stream.chunks }).toEqual({ atOnce: ['a\nb\n'], after: ['a\nb\n'] });
  });

  it('writes at once when a buffer’s worth has gathered', async () => {
    const stream = recordingStream();
    const sink = streamSink(stream);

    await sink.write('a'.repeat(SINK_BUFFER_CHARS - 1));
    await sink.write('bc');

    expect(stream.chunks.map((chunk) => chunk.length)).toEqual([SINK_BUFFER_CHARS + 1]);
  });

  it('waits for the stream to drain when it asks for backpressure', async () => {
    let drained = false;
    const stream = recordingStream(() => false);
    stream.on('drain', () => {
      drained = true;
    });
    const sink = streamSink(stream);

    await sink.write('x'.repeat(SINK_BUFFER_CHARS));

    expect(drained).toBe(true);
  });

  it('fails the next write once a write has failed', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE'));
      },
    });
    stream.on('error', () => undefined);
    const sink = streamSink(stream);
    await sink.write('lost\n');
    await turn();
    await turn();

    await expect(sink.write('next\n')).rejects.toThrow('EPIPE');
  });
});
