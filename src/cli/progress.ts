/**
 * Progress on long work: a live bar on a terminal, a line every few seconds otherwise
 * (CI logs, pipes). Written to stderr so stdout stays the command's own output.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Advance by `n` units; `bytes` feeds the MB/s figure. */
  tick(n?: number, bytes?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

export function createProgress(
  label: string,
  options: { total?: number; unit?: string; quiet?: boolean } = {},
): Progress {
  const unit = options.unit ?? 'items';
  let done = 0;
  let bytes = 0;
  let total = options.total ?? 0;
  const started = Date.now();
  const rate = () => {
    const s = Math.max((Date.now() - started) / 1000, 0.001);
    const mb = bytes ? ` ${(bytes / 1e6 / s).toFixed(1)} MB/s` : '';
    return `${Math.round(done / s)} ${unit}/s${mb}`;
  };
  if (options.quiet) return { tick() {}, setTotal() {}, stop() {} };

  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} ${unit} | {rate} | {duration_formatted}`,
        hideCursor: true,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total || 1, 0, { rate: '' });
    return {
      tick(n = 1, b = 0) {
        done += n;
        bytes += b;
        bar.update(done, { rate: rate() });
      },
      setTotal(t) {
        total = t;
        bar.setTotal(t);
      },
      stop() {
        bar.update(done, { rate: rate() });
        bar.stop();
      },
    };
  }
  let last = 0;
  const line = () =>
    process.stderr.write(`${label}: ${done}${total ? `/${total}` : ''} ${unit} (${rate()})\n`);
  return {
    tick(n = 1, b = 0) {
      done += n;
      bytes += b;
      if (Date.now() - last > 2000) {
        last = Date.now();
        line();
      }
    },
    setTotal(t) {
      total = t;
    },
    stop: line,
  };
}
