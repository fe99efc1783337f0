/** How the CLI talks to its user: a live line on a terminal, plain lines in logs, JSON for machines. */
export type OutputMode = 'tty' | 'plain' | 'json';

/** Picks the output mode from `--json` and whether stderr is a terminal. */
export function outputMode(json: boolean | undefined): OutputMode {
  if (json) return 'json';
  return process.stderr.isTTY ? 'tty' : 'plain';
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress of long phases (engine setup, image builds, golden builds, daemon
 * start). Progress goes to stderr so stdout stays the job's own output.
 */
export class Reporter {
  readonly mode: OutputMode;
  #timer: NodeJS.Timeout | undefined;

  constructor(mode: OutputMode) {
    this.mode = mode;
  }

  /** Runs one phase, showing it while it runs and how long it took. */
  async phase<T>(title: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.#start(title);
    try {
      const result = await work();
      this.#finish(title, 'done', Date.now() - started);
      return result;
    } catch (error) {
      this.#finish(title, 'failed', Date.now() - started);
      throw error;
    }
  }

  /** A line of information (or, in JSON mode, an event object). */
  info(message: string, data: Record<string, unknown> = {}): void {
    if (this.mode === 'json') this.event({ event: 'info', message, ...data });
    else process.stderr.write(`${message}\n`);
  }

  /** A warning, always shown. */
  warn(message: string): void {
    if (this.mode === 'json') this.event({ event: 'warning', message });
    else process.stderr.write(`${this.mode === 'tty' ? '\x1b[33m!\x1b[0m' : 'WARNING:'} ${message}\n`);
  }

  /** One JSON object per line on stdout (JSON mode only). */
  event(data: Record<string, unknown>): void {
    if (this.mode === 'json')
      process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...data })}\n`);
  }

  #start(title: string): void {
    if (this.mode === 'json') {
      this.event({ event: 'phase', phase: title, status: 'started' });
      return;
    }
    if (this.mode === 'plain') {
      process.stderr.write(`[sandkit] ${title}…\n`);
      return;
    }
    let frame = 0;
    const draw = () => process.stderr.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${title}…`);
    draw();
    this.#timer = setInterval(draw, 80);
  }

  #finish(title: string, status: 'done' | 'failed', ms: number): void {
    clearInterval(this.#timer);
    const took = `${(ms / 1000).toFixed(1)} s`;
    if (this.mode === 'json') {
      this.event({ event: 'phase', phase: title, status, durationMs: ms });
      return;
    }
    if (this.mode === 'plain') {
      process.stderr.write(`[sandkit] ${title}: ${status} in ${took}\n`);
      return;
    }
    const mark = status === 'done' ? '\x1b[32m✔\x1b[0m' : '\x1b[31m✖\x1b[0m';
    process.stderr.write(`\r\x1b[K${mark} ${title} (${took})\n`);
  }
}
