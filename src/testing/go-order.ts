/**
 * The order in which influxd 1.6 (built with Go 1.10) leaves elements that its comparisons call
 * equal: Go's `container/heap` (push, fix) and `sort.Sort` (the unstable quicksort / shell pass /
 * insertion sort / heapsort of Go ≤ 1.18), ported step for step. The in-memory engine needs them
 * where influxd's answer depends on them: `top()`/`bottom()` with tag arguments keep, of the rows
 * that tie on value and time, the ones its heap keeps, in the order its sort leaves them.
 *
 * `less(a, b)` is the element comparison; both functions work in place on `data`.
 */

/** A bounded heap as influxd's FloatTopReducer keeps it (`container/heap` with `less`). */
export class GoHeap<T> {
  readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  /** heap.Push: append, then sift up. */
  push(x: T): void {
    this.items.push(x);
    this.#up(this.items.length - 1);
  }

  /** heap.Fix(h, i) after items[i] changed. */
  fix(i: number): void {
    if (!this.#down(i, this.items.length)) this.#up(i);
  }

  #lessAt(i: number, j: number): boolean {
    return this.less(this.items[i]!, this.items[j]!);
  }

  #swap(i: number, j: number): void {
    const h = this.items;
    const t = h[i]!;
    h[i] = h[j]!;
    h[j] = t;
  }

  #up(j: number): void {
    for (;;) {
      const i = Math.trunc((j - 1) / 2); // Go's integer division truncates: (0 - 1) / 2 is 0
      if (i === j || !this.#lessAt(j, i)) break;
      this.#swap(i, j);
      j = i;
    }
  }

  #down(i0: number, n: number): boolean {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.#lessAt(j2, j1)) j = j2;
      if (!this.#lessAt(j, i)) break;
      this.#swap(i, j);
      i = j;
    }
    return i > i0;
  }
}

/** Go's `sort.Sort(data)` (not stable) with `less`. */
export function goSort<T>(data: T[], less: (a: T, b: T) => boolean): void {
  const n = data.length;
  let depth = 0;
  for (let i = n; i > 0; i >>= 1) depth++;
  new GoSorter(data, less).quickSort(0, n, depth * 2);
}

class GoSorter<T> {
  constructor(
    private readonly data: T[],
    private readonly lessFn: (a: T, b: T) => boolean,
  ) {}

  less(i: number, j: number): boolean {
    return this.lessFn(this.data[i]!, this.data[j]!);
  }

  swap(i: number, j: number): void {
    const d = this.data;
    const t = d[i]!;
    d[i] = d[j]!;
    d[j] = t;
  }

  insertionSort(a: number, b: number): void {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && this.less(j, j - 1); j--) this.swap(j, j - 1);
    }
  }

  siftDown(lo: number, hi: number, first: number): void {
    let root = lo;
    for (;;) {
      let child = 2 * root + 1;
      if (child >= hi) return;
      if (child + 1 < hi && this.less(first + child, first + child + 1)) child++;
      if (!this.less(first + root, first + child)) return;
      this.swap(first + root, first + child);
      root = child;
    }
  }

  heapSort(a: number, b: number): void {
    const first = a;
    const hi = b - a;
    for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) this.siftDown(i, hi, first);
    for (let i = hi - 1; i >= 0; i--) {
      this.swap(first, first + i);
      this.siftDown(0, i, first);
    }
  }

  medianOfThree(m1: number, m0: number, m2: number): void {
    if (this.less(m1, m0)) this.swap(m1, m0);
    if (this.less(m2, m1)) {
      this.swap(m2, m1);
      if (this.less(m1, m0)) this.swap(m1, m0);
    }
  }

  doPivot(lo: number, hi: number): [number, number] {
    const m = (lo + hi) >>> 1;
    if (hi - lo > 40) {
      const s = Math.trunc((hi - lo) / 8);
      this.medianOfThree(lo, lo + s, lo + 2 * s);
      this.medianOfThree(m, m - s, m + s);
      this.medianOfThree(hi - 1, hi - 1 - s, hi - 1 - 2 * s);
    }
    this.medianOfThree(lo, m, hi - 1);
    const pivot = lo;
    let a = lo + 1;
    let c = hi - 1;
    for (; a < c && this.less(a, pivot); a++) {}
    let b = a;
    for (;;) {
      for (; b < c && !this.less(pivot, b); b++) {}
      for (; b < c && this.less(pivot, c - 1); c--) {}
      if (b >= c) break;
      this.swap(b, c - 1);
      b++;
      c--;
    }
    let protect = hi - c < 5;
    if (!protect && hi - c < Math.trunc((hi - lo) / 4)) {
      let dups = 0;
      if (!this.less(pivot, hi - 1)) {
        this.swap(c, hi - 1);
        c++;
        dups++;
      }
      if (!this.less(b - 1, pivot)) {
        b--;
        dups++;
      }
      if (!this.less(m, pivot)) {
        this.swap(m, b - 1);
        b--;
        dups++;
      }
      protect = dups > 1;
    }
    if (protect) {
      for (;;) {
        for (; a < b && !this.less(b - 1, pivot); b--) {}
        for (; a < b && this.less(a, pivot); a++) {}
        if (a >= b) break;
        this.swap(a, b - 1);
        a++;
        b--;
      }
    }
    this.swap(pivot, b - 1);
    return [b - 1, c];
  }

  quickSort(a: number, b: number, maxDepth: number): void {
    while (b - a > 12) {
      if (maxDepth === 0) {
        this.heapSort(a, b);
        return;
      }
      maxDepth--;
      const [mlo, mhi] = this.doPivot(a, b);
      if (mlo - a < b - mhi) {
        this.quickSort(a, mlo, maxDepth);
        a = mhi;
      } else {
        this.quickSort(mhi, b, maxDepth);
        b = mlo;
      }
    }
    if (b - a > 1) {
      // A shell sort pass with gap 6, then insertion sort (b - a <= 12).
      for (let i = a + 6; i < b; i++) if (this.less(i, i - 6)) this.swap(i, i - 6);
      this.insertionSort(a, b);
    }
  }
}
