import { CairnError, ErrorCode } from '../errors.js'
import type { ResultRef } from './result-ref.js'

/** One run shared by identical concurrent submits in this process. */
interface SharedRun {
  promise: Promise<ResultRef>
  /** Aborts the run once every caller waiting for it has aborted. */
  controller: AbortController
  callers: number
}

/** Runs in progress by fingerprint: identical concurrent submits wait for one run instead of starting their own. */
export class InFlightRuns {
  readonly #runs = new Map<string, SharedRun>()

  /**
   * Joins the run in progress for `fingerprint`, or starts one with `start`. `start` gets a signal
   * that fires only when every caller waiting for the run has aborted.
   */
  share(
    fingerprint: string,
    start: (signal: AbortSignal) => Promise<ResultRef>,
    signal: AbortSignal | undefined,
  ): Promise<ResultRef> {
    let run = this.#runs.get(fingerprint)
    if (!run) {
      const controller = new AbortController()
      const created: SharedRun = { controller, callers: 0, promise: Promise.resolve() as never }
      created.promise = start(controller.signal).finally(() => {
        if (this.#runs.get(fingerprint) === created) this.#runs.delete(fingerprint)
      })
      this.#runs.set(fingerprint, created)
      run = created
    }
    return this.#join(run, fingerprint, signal)
  }

  /** Settles when every run now in progress has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#runs.values()].map((run) => run.promise))
  }

  /**
   * Waits for a shared run. A caller's abort rejects only that caller's wait; the run itself is
   * cancelled when every caller waiting for it has aborted (then a new submit starts afresh).
   */
  #join(run: SharedRun, fingerprint: string, signal: AbortSignal | undefined): Promise<ResultRef> {
    run.callers++
    const leave = () => {
      run.callers--
      if (run.callers === 0) {
        if (this.#runs.get(fingerprint) === run) this.#runs.delete(fingerprint)
        run.controller.abort(signal?.reason)
      }
    }
    if (!signal) return run.promise.finally(() => run.callers--)
    return new Promise<ResultRef>((resolve, reject) => {
      const onAbort = () => {
        leave()
        reject(new CairnError(ErrorCode.Aborted, 'operation aborted', { cause: signal.reason }))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      run.promise.then(
        (ref) => {
          signal.removeEventListener('abort', onAbort)
          run.callers--
          resolve(ref)
        },
        (error) => {
          signal.removeEventListener('abort', onAbort)
          run.callers--
          reject(error)
        },
      )
    })
  }
}
