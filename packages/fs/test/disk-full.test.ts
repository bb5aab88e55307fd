import { execFileSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ErrorCode, isCairnError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { FsStore } from '../src/index.js'
import { makeCommit, tempRoot, utf8 } from './helpers.js'

/** Mounts a 1 MiB tmpfs at `dir` (needs root on Linux); false where that is not possible. */
function mountTiny(dir: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('FsStore on a full disk', () => {
  it('surfaces ENOSPC as CAIRN_BACKEND, stores nothing partial, and recovers when space returns', async (ctx) => {
    const mount = await tempRoot()
    if (!mountTiny(mount)) return ctx.skip('needs root and a mountable tmpfs to fill a disk')
    try {
      const root = join(mount, 'store')
      const store = await FsStore.open({ root })
      const kept = makeCommit('kept', 1)
      await store.putCommit(kept)
      const big = new Uint8Array(2 * 1024 * 1024).fill(7)
      const error = await store.putBlob(big).catch((e) => e)
      expect(isCairnError(error, ErrorCode.Backend)).toBe(true)
      expect(error.cause.code).toBe('ENOSPC')
      expect(readdirSync(join(root, 'tmp'))).toEqual([]) // the partial temp file is gone
      // Fill what is left, then try to record a commit and a ref.
      const filler = join(mount, 'filler')
      try {
        writeFileSync(filler, new Uint8Array(1024 * 1024))
      } catch {
        // full: that was the point
      }
      const failedCommit = makeCommit('no room', 2, { tags: { pad: 'x'.repeat(64 * 1024) } })
      const commitError = await store.putCommit(failedCommit).catch((e) => e)
      expect(isCairnError(commitError, ErrorCode.Backend)).toBe(true)
      const refError = await store.setRef('r', 'v'.repeat(1000)).catch((e) => e)
      expect(isCairnError(refError, ErrorCode.Backend)).toBe(true)
      expect(await store.getRef('r')).toBeUndefined()
      await rm(filler, { force: true })
      // Space is back: everything works, and the commit log is intact around the failed append.
      const after = makeCommit('after', 3)
      await store.putCommit(after)
      const { hash } = await store.putBlob(utf8.encode('fits now'))
      expect(await store.getBlob(hash)).toEqual(utf8.encode('fits now'))
      await store.close()
      const reopened = await FsStore.open({ root })
      expect((await reopened.getCommit(kept.hash))?.hash).toBe(kept.hash)
      expect((await reopened.getCommit(after.hash))?.hash).toBe(after.hash)
      expect(reopened.logHealth().badRecords).toBeLessThanOrEqual(1) // at most the torn failed append
      await reopened.close()
    } finally {
      execFileSync('umount', [mount])
    }
  })
})
