import { spawnSync } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, sha256Hex } from '@cairn/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { FsStore } from '../src/index.js'
import { blobFile, child, ensureBuilt, tempRoot, utf8 } from './helpers.js'

// Children run dist/ (plain node); build it if it is missing or older than src/.
beforeAll(() => ensureBuilt(), 120_000)

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return '-'
  }
}

const lockFiles = (root: string) => readdirSync(join(root, 'locks')).filter((f) => !f.startsWith('holder-'))

describe('FsStore across processes', () => {
  it('lets exactly one of several processes win a compare-and-swap', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    for (const name of ['race/durable', 'leases/race']) {
      const children = Array.from({ length: 8 }, (_, i) => child('cas', root, [name, `child-${i}`]))
      await Promise.all(children.map((c) => c.waitFor('ready'))) // every child has opened the store
      for (const c of children) c.stdin?.end('go\n')
      const results = await Promise.all(children.map((c) => c.output.then((o) => o.replace('ready\n', ''))))
      expect(results.filter((r) => r === 'won')).toHaveLength(1)
      expect(results.filter((r) => r === 'lost')).toHaveLength(7)
      const store = await FsStore.open({ root })
      expect(await store.getRef(name)).toBe(`child-${results.indexOf('won')}`)
      await store.close()
    }
    expect(readdirSync(join(root, 'locks'))).toEqual([])
  }, 60_000)

  it('survives kill -9 of a writer at random points: no corrupt blob, no commit without its blob', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    const rounds = 20
    for (let round = 0; round < rounds; round++) {
      const writer = child('writer', root, [`r${round}`])
      await writer.waitFor('started')
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 100)))
      writer.kill('SIGKILL')
      await writer.output
    }
    const store = await FsStore.open({ root })
    let blobs = 0
    for await (const blob of store.listBlobs()) {
      expect(sha256Hex(await store.getBlob(blob.hash))).toBe(blob.hash) // getBlob throws CAIRN_CORRUPT if damaged
      blobs++
    }
    let commits = 0
    for await (const c of store.listCommits()) {
      if (c.output?.kind === 'blob') expect(await store.hasBlob(c.output.blob.hash)).toBe(true)
      commits++
    }
    for (let round = 0; round < rounds; round++) {
      const value = await store.getRef(`crash/r${round}`) // a damaged ref file would throw
      if (value !== undefined) expect(value).toMatch(/^[0-9a-f]{64}$/)
    }
    expect(blobs).toBeGreaterThan(rounds)
    expect(commits).toBeGreaterThan(rounds)
    expect(store.logHealth().badRecords).toBeLessThanOrEqual(rounds) // at most one torn tail per kill
    // Open removed what the killed writers left: temp files and lock files of dead PIDs.
    expect(readdirSync(join(root, 'tmp'))).toEqual([])
    expect(lockFiles(root)).toEqual([])
    const { hash } = await store.putBlob(utf8.encode('still works'))
    expect(await store.getBlob(hash)).toEqual(utf8.encode('still works'))
    await store.setRef('crash/after', hash)
    await store.close()
  }, 120_000)

  it('loses no commit and revives no deleted one while another process compacts', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const appenders = ['p', 'q', 'r'].map((seed) => child('appender', root, [seed, '150']))
    let running = true
    const outputs = Promise.all(appenders.map((a) => a.output)).finally(() => {
      running = false
    })
    let compactions = 0
    while (running) {
      await store.compact()
      compactions++
      await new Promise((resolve) => setTimeout(resolve, 5)) // let the appenders at the lock
    }
    const kept = (await outputs).flatMap((o) => JSON.parse(o) as string[])
    expect(kept).toHaveLength(300)
    expect(compactions).toBeGreaterThan(1)
    await store.close()
    const reopened = await FsStore.open({ root })
    const live: string[] = []
    for await (const c of reopened.listCommits()) live.push(c.hash)
    expect(live.sort()).toEqual([...kept].sort())
    await reopened.close()
  }, 60_000)

  it('runs an identical call once when two processes submit it together', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close() // a store is created only in an empty directory
    const marker = join(root, 'runs.txt')
    await writeFile(marker, '')
    const [a, b] = [0, 1].map(() => child('submit', root, [marker], { env: { HOLD_MS: '400' } }))
    const outputs = (await Promise.all([a?.output, b?.output])).map((o) => JSON.parse(o as string))
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toHaveLength(1)
    expect(outputs.map((o) => o.value)).toEqual([42, 42])
    expect(outputs.map((o) => o.cached).sort()).toEqual([false, true])
  }, 60_000)

  it('takes over at once when the lease holder is killed mid-run', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close() // a store is created only in an empty directory
    const marker = join(root, 'runs.txt')
    await writeFile(marker, '')
    const holder = child('submit', root, [marker], { env: { HOLD_MS: '60000' } })
    while (readFileSync(marker, 'utf8') === '') await new Promise((r) => setTimeout(r, 20))
    holder.kill('SIGKILL')
    await holder.output
    const started = Date.now()
    const second = child('submit', root, [marker], { env: { HOLD_MS: '10' } })
    const result = JSON.parse(await second.output)
    expect(result).toEqual({ value: 42, cached: false })
    expect(Date.now() - started).toBeLessThan(20_000) // not the 30 s lease TTL: the dead PID frees it
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toHaveLength(2)
    const store = await FsStore.open({ root })
    const leftover: string[] = []
    for await (const [name, value] of store.listRefs('leases/')) leftover.push(`${name}=${value}`)
    expect(leftover).toEqual([])
    await store.close()
  }, 60_000)

  it('surfaces a permission error (EACCES) as CAIRN_BACKEND, never as a miss, and leaves no litter', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const { hash } = await store.putBlob(utf8.encode('private'))
    await store.close()
    // As root, permissions do not bind us: the probe then runs as `nobody`.
    const asRoot = process.getuid?.() === 0
    chmodSync(root, 0o755)
    chmodSync(join(root, 'locks'), 0o777)
    chmodSync(join(root, 'commits.log'), 0o666)
    chmodSync(join(root, 'tmp'), 0o555)
    chmodSync(blobFile(root, hash), 0o000)
    const probe = child('probe', root, [hash], asRoot ? { uid: 65534, gid: 65534 } : {})
    const report = JSON.parse(await probe.output)
    expect(report).toEqual({
      getBlob: `${ErrorCode.Backend}/EACCES`,
      putBlob: `${ErrorCode.Backend}/EACCES`,
      setRef: `${ErrorCode.Backend}/EACCES`,
    })
    expect(readdirSync(join(root, 'locks'))).toEqual([])
    chmodSync(join(root, 'tmp'), 0o755)
    chmodSync(blobFile(root, hash), 0o644)
  }, 60_000)

  it('reports a dead holder it cannot remove (a read-only root) as CAIRN_BACKEND with the cause', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number
    const holder = join(root, 'locks', `holder-${dead}-abcdef`)
    writeFileSync(holder, `${dead} ${hostname()} ${bootId()}`)
    // As root, permissions do not bind us: the opener then runs as `nobody`.
    const asRoot = process.getuid?.() === 0
    chmodSync(root, 0o755)
    chmodSync(join(root, 'locks'), 0o555)
    try {
      const opener = child('open', root, [], asRoot ? { uid: 65534, gid: 65534 } : {})
      expect(await opener.output).toBe(`${ErrorCode.Backend}/EACCES`)
      expect(readdirSync(join(root, 'locks'))).toEqual([`holder-${dead}-abcdef`])
    } finally {
      chmodSync(join(root, 'locks'), 0o755)
    }
  }, 60_000)
})
