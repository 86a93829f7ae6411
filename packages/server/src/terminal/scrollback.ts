/** The recent output of a terminal, bounded, replayed to each client that attaches. */

/** The default bound of a terminal's scrollback: 256 Ki characters. */
export const defaultScrollbackCharacters = 256 * 1024;

/** Past this many chunks the buffer joins them, so many tiny writes do not make a long array. */
const chunkCompactionThreshold = 1024;

/** Keeps the last `limit` characters written (older ones are dropped from the front). */
export class Scrollback {
  readonly #limit: number;
  #chunks: string[] = [];
  #length = 0;

  constructor(limit = defaultScrollbackCharacters) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError("the scrollback limit is a positive integer");
    this.#limit = limit;
  }

  /** How many characters it holds now. */
  get length(): number {
    return this.#length;
  }

  /** Appends output, dropping the oldest characters past the limit. */
  append(data: string): void {
    if (data.length === 0) return;
    if (data.length >= this.#limit) {
      this.#chunks = [data.slice(data.length - this.#limit)];
      this.#length = this.#limit;
      return;
    }
    this.#chunks.push(data);
    this.#length += data.length;
    while (this.#length > this.#limit) {
      const head = this.#chunks[0] ?? "";
      const excess = this.#length - this.#limit;
      if (head.length <= excess) {
        this.#chunks.shift();
        this.#length -= head.length;
      } else {
        this.#chunks[0] = head.slice(excess);
        this.#length -= excess;
      }
    }
    if (this.#chunks.length > chunkCompactionThreshold) this.#chunks = [this.#chunks.join("")];
  }

  /** Everything it holds, oldest first. */
  text(): string {
    if (this.#chunks.length > 1) this.#chunks = [this.#chunks.join("")];
    return this.#chunks[0] ?? "";
  }
}
