/**
 * Progress on stderr: on a terminal, one redrawn line with a bar sized to the terminal's
 * width, the percentage, the elapsed time and an estimate of the time left; elsewhere (CI,
 * a pipe) a plain line every 10%.
 */
export type ProgressReporter = (fraction: number, label: string) => void;

interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function createProgress(stream: ProgressStream, now: () => number = Date.now): ProgressReporter {
  const started = now();
  let lastPlain = -1;
  let done = false;
  return (fraction, label) => {
    if (done) return;
    const f = Math.min(1, Math.max(0, fraction));
    const elapsed = now() - started;
    const percent = Math.floor(f * 100);
    if (!stream.isTTY) {
      if (percent >= lastPlain + 10 || f >= 1 || lastPlain < 0) {
        lastPlain = percent;
        stream.write(`${String(percent).padStart(3)}% ${formatClock(elapsed)} ${label}\n`);
      }
    } else {
      stream.write(`\r${progressLine(f, label, elapsed, stream.columns ?? 80)}`);
      if (f >= 1) stream.write('\n');
    }
    if (f >= 1) done = true;
  };
}

/** The redrawn line, exactly `columns - 1` characters wide so the terminal never wraps it. */
export function progressLine(fraction: number, label: string, elapsedMs: number, columns: number): string {
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const eta = fraction >= 1 ? 'done' : fraction > 0.01 ? `ETA ${formatClock((elapsedMs * (1 - fraction)) / fraction)}` : 'ETA --:--';
  const times = `${formatClock(elapsedMs)} ${eta}`;
  const width = Math.max(20, columns - 1);
  // The bar takes what is left after the numbers and a label of at least 12 characters, 10 to 40 wide.
  const barWidth = Math.max(10, Math.min(40, width - percent.length - times.length - 12 - 5));
  const filled = Math.round(fraction * barWidth);
  const head = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${percent} ${times} `;
  const room = Math.max(0, width - head.length);
  const text = label.length > room ? `${label.slice(0, Math.max(0, room - 1))}…` : label;
  return (head + text).padEnd(width).slice(0, width);
}

/** m:ss, or h:mm:ss past an hour. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
