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

  it('does not fill the bar while files are unfinished, though all their bytes are counted', () => {
    const line = renderProgress({ ...STATE, filesDone: 3, filesTotal: 7, bytesDone: 1000, bytesTotal: 1000 });

    expect(line.startsWith(`[${'#'.repeat(24)}]`)).toBe(false);
  });

  it('does not estimate 0:00 left while files are unfinished', () => {
    const line = renderProgress({ ...STATE, filesDone: 3, filesTotal: 7, bytesDone: 1000, bytesTotal: 1000 });

    expect(line.endsWith('ETA 0:00')).toBe(false);
  });

  it('fills the bar and estimates 0:00 once every file is finished', () => {
    const line = renderProgress({ ...STATE, filesDone: 7, filesTotal: 7, bytesDone: 1000, bytesTotal: 1000 });

    expect({ full: line.startsWith(`[${'#'.repeat(24)}]`), eta: line.endsWith('ETA 0:00') }).toEqual({
      full: true,
      eta: true,
    });
  });

  it('writes one file and one event in the singular', () => {
    const line = renderProgress({ ...STATE, filesDone: 1, filesTotal: 1, events: 1 });

    expect(line).toContain('] 1/1 file · 1 event · ');
  });

  it('draws the whole line, one column short of the default width, when the terminal reports 0 columns', async () => {
    const sink = captureSink(true, 0);
    const bar = new ProgressBar(sink, () => 1_000);

    await bar.update(STATE, true);

    expect(sink.text()).toBe(`\r\x1b[2K${renderProgress(STATE).slice(0, 79)}`);
  });

  it('draws at least 20 characters on a terminal that reports fewer columns', async () => {
    const sink = captureSink(true, 3);
    const bar = new ProgressBar(sink, () => 1_000);

    await bar.update(STATE, true);

    expect(sink.text()).toBe(`\r\x1b[2K${renderProgress(STATE).slice(0, 20)}`);
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
