/** What each store benchmark gets from `stores.ts`. */
export interface StoreBenchContext {
  quick: boolean
  /** A fresh temporary directory for this benchmark's files. */
  work: string
  /** `count` scaled down under `--quick` (never below 3). */
  n(count: number): number
  log(message: string): void
}
