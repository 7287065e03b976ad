/**
 * A one-line progress bar on a terminal's stderr, redrawn at most every 100 ms; silent when
 * stderr is not a terminal (logs and pipes stay clean).
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  #last = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
  }

  get enabled(): boolean {
    return this.#stream.isTTY === true;
  }

  update(label: string, done: number, total: number | undefined, unit = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    const width = 30;
    let text: string;
    if (total && total > 0) {
      const share = Math.min(1, done / total);
      const filled = Math.round(share * width);
      text = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)} %`;
    } else {
      text = `${label} ${done.toLocaleString('fr-FR')}${unit}`;
    }
    this.#stream.write(
      `\r${text.slice(0, (this.#stream.columns ?? 80) - 1).padEnd(Math.min(79, (this.#stream.columns ?? 80) - 1))}`,
    );
    this.#drawn = true;
  }

  done(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
