import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { progressLine, trackProgress } from '../../scripts/progress';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, columns: 100, write: (s: string) => written.push(s) > 0 } as never };
}

describe('progress of long work', () => {
  // The clock is vitest's: the intervals pass when the test says so, however busy the machine is.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says how far, how fast and how long', () => {
    expect(progressLine('engine', 1250, 2500, 59_000)).toBe(
      'engine [###############---------------] 1,250/2,500 50% · 21.2/s · 59 s',
    );
    expect(progressLine('engine', 0, 0, 0)).toMatch(/\[#+\] 0\/0 100%/);
  });

  it('prints plain lines when not on a terminal, and the last one when stopped', async () => {
    const { written, stream } = fakeStream(false);
    let done = 0;
    const progress = trackProgress('bench', 10, async () => done, { intervalMs: 5, stream });
    for (done = 1; done <= 10; done++) await vi.advanceTimersByTimeAsync(15);
    done = 10;
    await progress.stop();
    expect(written.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(written.at(-1)).toMatch(/^bench \[#+\] 10\/10 100%/);
  });

  it('redraws one line in place on a terminal', async () => {
    const { written, stream } = fakeStream(true);
    const progress = trackProgress('bench', 4, async () => 2, { intervalMs: 5, stream });
    await vi.advanceTimersByTimeAsync(30);
    await progress.stop();
    expect(written.every((l) => l.startsWith('\r'))).toBe(true);
    expect(written.at(-1)).toMatch(/2\/4 50%.*\n$/);
  });
});
