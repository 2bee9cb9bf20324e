/**
 * Progress of long work (`npm run bench`): a bar redrawn in place on a terminal, plain lines otherwise
 * (a log file, CI), every tenth of the way or every 15 s. Written to stderr, so stdout keeps only results.
 */

export interface Progress {
  /** Reads once more, draws the last state and ends the line. */
  stop(): Promise<void>;
}

export function trackProgress(
  label: string,
  total: number,
  read: () => Promise<number>,
  options: { intervalMs?: number; stream?: NodeJS.WriteStream } = {},
): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const started = Date.now();
  let printed = { tenth: -1, at: 0 };
  let reading = Promise.resolve();

  const draw = (done: number, final = false) => {
    const line = progressLine(label, done, total, Date.now() - started, tty ? stream.columns : undefined);
    if (tty) {
      stream.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((Math.min(done, total) / Math.max(total, 1)) * 10);
    if (final || tenth > printed.tenth || Date.now() - printed.at >= 15_000) {
      stream.write(`${line}\n`);
      printed = { tenth, at: Date.now() };
    }
  };
  const tick = () => {
    reading = read().then(
      (done) => draw(done),
      () => undefined, // a failed read skips one update; the work goes on
    );
  };
  const timer = setInterval(tick, options.intervalMs ?? (tty ? 500 : 2_000));
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await reading;
      draw(await read().catch(() => total), true);
    },
  };
}

/** `engine [##########----------] 1,250/2,500 50% · 21.3/s · 59 s` (the bar shrinks to fit `columns`). */
export function progressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  columns?: number,
): string {
  const share = total > 0 ? Math.min(done / total, 1) : 1;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const tail = ` ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${Math.floor(share * 100)}% · ${rate.toFixed(1)}/s · ${Math.round(seconds)} s`;
  const width = Math.max(10, Math.min(30, (columns ?? 80) - label.length - tail.length - 4));
  const filled = Math.round(share * width);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${tail}`;
}
