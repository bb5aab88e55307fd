import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Commit, ErrorCode, isCairnError, sha256Hex } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { FsStore } from '../src/index.js'
import { makeCommit, tempRoot } from './helpers.js'

const logOf = (root: string) => join(root, 'commits.log')

/** A log line as FsStore writes it, with a correct checksum over whatever JSON it is given. */
function line(json: string): string {
  return `\n${sha256Hex(json).slice(0, 16)} ${json}\n`
}

async function hashes(iterable: AsyncIterable<Commit>): Promise<string[]> {
  const out: string[] = []
  for await (const c of iterable) out.push(c.hash)
  return out
}

describe('FsStore commit log', () => {
  it('writes one checksummed record per put and per delete', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const c = makeCommit('one')
    await store.putCommit(c)
    await store.putCommit(c) // idempotent: nothing appended
    await store.deleteCommit(c.hash)
    await store.deleteCommit(c.hash) // already gone: nothing appended
    await store.close()
    const put = JSON.stringify({ op: 'put', commit: c })
    const del = JSON.stringify({ op: 'del', hash: c.hash })
    expect(readFileSync(logOf(root), 'utf8')).toBe(line(put) + line(del))
  })

  it('ignores a torn tail, keeps working, and never loses a later commit to it', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    await store.putCommit(makeCommit('before'))
    await store.close()
    appendFileSync(logOf(root), '\n0123456789abcdef {"op":"put","commit":{"hash":"trunc')
    const reopened = await FsStore.open({ root })
    expect((await reopened.getCommit(makeCommit('before').hash))?.hash).toBe(makeCommit('before').hash)
    await reopened.putCommit(makeCommit('after'))
    await reopened.close()
    const third = await FsStore.open({ root })
    expect((await third.getCommit(makeCommit('after').hash))?.hash).toBe(makeCommit('after').hash)
    expect(third.logHealth()).toMatchObject({ badRecords: 1, liveCommits: 2 })
    await third.close()
  })

  it('skips a damaged record in the middle of the log and keeps every other commit', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const commits = ['a', 'b', 'c'].map((s, i) => makeCommit(s, i))
    for (const c of commits) await store.putCommit(c)
    await store.close()
    const text = readFileSync(logOf(root), 'utf8')
    const flipAt = text.indexOf(commits[1]?.fingerprint as string)
    writeFileSync(logOf(root), `${text.slice(0, flipAt)}X${text.slice(flipAt + 1)}`)
    const reopened = await FsStore.open({ root })
    expect(await hashes(reopened.listCommits())).toEqual([commits[2]?.hash, commits[0]?.hash])
    expect(reopened.logHealth()).toMatchObject({ badRecords: 1, liveCommits: 2 })
    await reopened.close()
  })

  it('reports a checksum-valid record whose commit fails validation as corrupt, and never returns it', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const good = makeCommit('same call', 1)
    await store.putCommit(good)
    // A record written by something that skipped validation: a newer createdAt under the old hash.
    const forged = { ...makeCommit('same call', 2), hash: sha256Hex('not the commit hash') }
    appendFileSync(logOf(root), line(JSON.stringify({ op: 'put', commit: forged })))
    const reader = await FsStore.open({ root })
    expect((await reader.findByFingerprint(good.fingerprint))?.hash).toBe(good.hash) // the forged one is skipped
    const error = await reader.getCommit(forged.hash).catch((e) => e)
    expect(isCairnError(error, ErrorCode.Corrupt)).toBe(true)
    expect(isCairnError(await reader.history(forged.hash).catch((e) => e), ErrorCode.Corrupt)).toBe(true)
    expect(await hashes(reader.listCommits())).toEqual([good.hash])
    expect(reader.logHealth()).toMatchObject({ badRecords: 1, liveCommits: 1 })
    await reader.close()
    await store.close()
  })

  it('reads a log with a record longer than its read slice, and records after it', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const big = makeCommit('big', 2, { output: { kind: 'inline', value: 'x'.repeat(9 * 1024 * 1024) } })
    const before = makeCommit('before', 1)
    const after = makeCommit('after', 3)
    await store.putCommit(before)
    await store.putCommit(big)
    await store.putCommit(after)
    await store.close()
    const reopened = await FsStore.open({ root })
    expect(await hashes(reopened.listCommits())).toEqual([after.hash, big.hash, before.hash])
    const loaded = await reopened.getCommit(big.hash)
    expect(loaded?.output?.kind === 'inline' && (loaded.output.value as string).length).toBe(9 * 1024 * 1024)
    expect(reopened.logHealth()).toMatchObject({ badRecords: 0, liveCommits: 3 })
    await reopened.close()
  })

  it('shares commits between instances at once, through deletes and compaction', async () => {
    const root = await tempRoot()
    const a = await FsStore.open({ root })
    const b = await FsStore.open({ root })
    const [x, y, z] = [makeCommit('x', 1), makeCommit('y', 2), makeCommit('z', 3)]
    await a.putCommit(x)
    await a.putCommit(y)
    expect((await b.findByFingerprint(x.fingerprint))?.hash).toBe(x.hash)
    await b.deleteCommit(x.hash)
    expect(await a.getCommit(x.hash)).toBeUndefined()
    const before = readFileSync(logOf(root)).length
    await b.compact()
    expect(readFileSync(logOf(root)).length).toBeLessThan(before)
    expect(b.logHealth()).toEqual({ badRecords: 0, deadRecords: 0, liveCommits: 1 })
    await a.putCommit(z)
    expect((await b.history(z.hash)).map((c) => c.hash)).toEqual([z.hash])
    expect(a.logHealth()).toMatchObject({ liveCommits: 2, deadRecords: 0 })
    expect((await b.getCommit(y.hash))?.hash).toBe(y.hash)
    await a.close()
    await b.close()
    const reopened = await FsStore.open({ root })
    expect(await hashes(reopened.listCommits())).toEqual([z.hash, y.hash])
    await reopened.close()
  })

  it('compacts on open when most records are dead', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const commits = Array.from({ length: 1200 }, (_, i) => makeCommit(`c${i}`, i))
    await Promise.all(commits.map((c) => store.putCommit(c)))
    await store.deleteCommits(commits.slice(0, 1100).map((c) => c.hash))
    expect(store.logHealth()).toMatchObject({ deadRecords: 2200, liveCommits: 100 })
    await store.close()
    const kept = await FsStore.open({ root, compactOnOpen: false })
    expect(kept.logHealth().deadRecords).toBe(2200)
    await kept.close()
    const compacted = await FsStore.open({ root })
    expect(compacted.logHealth()).toEqual({ badRecords: 0, deadRecords: 0, liveCommits: 100 })
    expect(await hashes(compacted.listCommits({ limit: 2 }))).toEqual([
      commits[1199]?.hash,
      commits[1198]?.hash,
    ])
    await compacted.close()
  })

  it('opens a store of 5,000 commits with an O(1) fingerprint index', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const commits = Array.from({ length: 5000 }, (_, i) => makeCommit(`call ${i % 2500}`, i))
    for (let i = 0; i < commits.length; i += 500) {
      await Promise.all(commits.slice(i, i + 500).map((c) => store.putCommit(c)))
    }
    await store.close()
    const started = performance.now()
    const reopened = await FsStore.open({ root })
    const openMs = performance.now() - started
    expect(reopened.logHealth()).toEqual({ badRecords: 0, deadRecords: 0, liveCommits: 5000 })
    // Each fingerprint has two commits; the newer (i + 2500) wins.
    for (const i of [0, 1234, 2499]) {
      expect((await reopened.findByFingerprint((commits[i] as Commit).fingerprint))?.hash).toBe(
        commits[i + 2500]?.hash,
      )
    }
    expect((await reopened.getCommit((commits[42] as Commit).hash.slice(0, 12)))?.hash).toBe(
      commits[42]?.hash,
    )
    // ~50 ms on the reference machine; a generous bound that still catches a quadratic open.
    expect(openMs).toBeLessThan(2000)
    await reopened.close()
  })
})
