import { estimateRemainingMs, formatDuration, ProgressBar, renderProgress, type ProgressState } from '../../../lambda/cli/progress';
import { captureSink } from './capture-io';

const STATE: ProgressState = {
  filesDone: 3,
  filesTotal: 12,
  events: 1500,
  bytesDone: 250,
  bytesTotal: 1000,
  elapsedMs: 10_000,
};

describe('progress', () => {
  it('renders files, events, rate and ETA on one line', () => {
    expect(renderProgress(STATE)).toBe(
      '[######··················] 3/12 files · 1,500 events · 150 events/s · ETA 0:30',
    );
  });

  it('estimates the time left from bytes when their total is known', () => {
    expect(estimateRemainingMs(STATE)).toBe(30_000);
  });

  it('estimates the time left from files when no sizes are known', () => {
    expect(estimateRemainingMs({ ...STATE, bytesDone: 0, bytesTotal: 0 })).toBe(30_000);
  });

  it('has no estimate before any progress', () => {
    expect(estimateRemainingMs({ ...STATE, filesDone: 0, bytesDone: 0 })).toBeUndefined();
  });

  it('formats hours when there are some', () => {
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('draws nothing when stderr is not a terminal', async () => {
    const sink = captureSink(false);
    const bar = new ProgressBar(sink, () => 1_000);

    await bar.update(STATE, true);

    expect(sink.text()).toBe('');
  });

  it('redraws the line in place on a terminal', async () => {
    const sink = captureSink(true, 200);
    const bar = new ProgressBar(sink, () => 1_000);

    await bar.update(STATE, true);

    expect(sink.text()).toBe(`\r\x1b[2K${renderProgress(STATE)}`);
  });

  it('skips a redraw that comes sooner than the interval', async () => {
    const sink = captureSink(true, 200);
    let now = 1_000;
    const bar = new ProgressBar(sink, () => now, 100);
    await bar.update(STATE);
    now += 50;

    await bar.update({ ...STATE, filesDone: 4 });

    expect(sink.text()).not.toContain('4/12');
  });
});
