import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, isCairnError, sha256Hex } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { FsStore } from '../src/index.js'
import { tempRoot } from './helpers.js'

const BOOT_ID = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return '-'
  }
})()

/** The lock file FsStore takes for a ref (an internal name, pinned here on purpose). */
const refLock = (root: string, name: string) =>
  join(root, 'locks', `ref-${sha256Hex(name).slice(0, 32)}.lock`)
const lockFiles = (root: string) => readdirSync(join(root, 'locks')).filter((f) => !f.startsWith('holder-'))

async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ['-e', '0'])
  await new Promise((resolve) => proc.on('exit', resolve))
  return proc.pid as number
}

function liveProcess() {
  const proc = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
  return proc
}

describe('FsStore refs', () => {
  it('keeps each ref in refs/<sha256 of name>.json, unicode and slashes included', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    const names = ['registry/Model/latest', 'données/日本/🚀', 'a']
    for (const [i, name] of names.entries()) expect(await store.setRef(name, `v${i}`)).toBe(true)
    for (const [i, name] of names.entries()) {
      const file = join(root, 'refs', `${sha256Hex(name)}.json`)
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ name, value: `v${i}` })
    }
    const listed: string[] = []
    for await (const [name] of store.listRefs('')) listed.push(name)
    expect(listed).toEqual([...names].sort())
    expect(await store.setRef('a', undefined, 'v2')).toBe(true)
    expect(readdirSync(join(root, 'refs'))).toHaveLength(2)
    await store.close()
  })

  it('reports a damaged ref file as corrupt, not as absent', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    await store.setRef('r', 'v')
    const file = join(root, 'refs', `${sha256Hex('r')}.json`)
    writeFileSync(file, '{"name":"r","val')
    expect(isCairnError(await store.getRef('r').catch((e) => e), ErrorCode.Corrupt)).toBe(true)
    writeFileSync(file, JSON.stringify({ name: 'someone else', value: 'v' }))
    expect(isCairnError(await store.getRef('r').catch((e) => e), ErrorCode.Corrupt)).toBe(true)
    await store.close()
  })

  it('leaves no lock or temp file behind after many concurrent swaps, and shares refs between instances', async () => {
    const root = await tempRoot()
    const a = await FsStore.open({ root })
    const b = await FsStore.open({ root })
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).setRef('shared', `v${i}`, null)),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = `v${results.indexOf(true)}`
    expect(await a.getRef('shared')).toBe(winner)
    expect(await b.setRef('shared', 'next', winner)).toBe(true)
    expect(await a.getRef('shared')).toBe('next')
    expect(lockFiles(root)).toEqual([])
    expect(readdirSync(join(root, 'tmp'))).toEqual([])
    // While open, this process's one holder file is all there is in locks/ (locks are links to it).
    expect(readdirSync(join(root, 'locks'))).toEqual([
      expect.stringMatching(new RegExp(`^holder-${process.pid}-`)),
    ])
    await a.close()
    expect(await b.setRef('after-first-close', 'ok')).toBe(true)
    await b.close()
    expect(readdirSync(join(root, 'locks'))).toEqual([])
  })

  it('breaks a lock whose holder died, at once', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    writeFileSync(refLock(root, 'r'), `${await deadPid()} ${hostname()} ${BOOT_ID}`)
    const started = Date.now()
    expect(await store.setRef('r', 'v', null)).toBe(true)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(lockFiles(root)).toEqual([])
    await store.close()
  })

  it('breaks locks left from before a reboot and by a dead process that had our PID', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    writeFileSync(refLock(root, 'boot'), `${process.ppid} ${hostname()} some-earlier-boot`)
    writeFileSync(refLock(root, 'mine'), `${process.pid} ${hostname()} ${BOOT_ID}`)
    expect(await store.setRef('boot', 'v')).toBe(true)
    expect(await store.setRef('mine', 'v')).toBe(true)
    expect(lockFiles(root)).toEqual([])
    await store.close()
  })

  it('waits for a live holder (abortable), and takes over once it dies', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    await store.setRef('r', 'before')
    const holder = liveProcess()
    try {
      writeFileSync(refLock(root, 'r'), `${holder.pid} ${hostname()} ${BOOT_ID}`)
      const error = await store
        .setRef('r', 'during', undefined, { signal: AbortSignal.timeout(300) })
        .catch((e) => e)
      expect(isCairnError(error, ErrorCode.Aborted)).toBe(true)
      expect(await store.getRef('r')).toBe('before')
      const waiting = store.setRef('r', 'after', 'before')
      holder.kill('SIGKILL')
      expect(await waiting).toBe(true)
    } finally {
      holder.kill('SIGKILL')
    }
    expect(await store.getRef('r')).toBe('after')
    expect(lockFiles(root)).toEqual([])
    await store.close()
  })

  it('removes abandoned lock files when a store opens', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    const pid = await deadPid()
    writeFileSync(refLock(root, 'x'), `${pid} ${hostname()} ${BOOT_ID}`)
    writeFileSync(join(root, 'locks', 'commits.lock'), `${pid} ${hostname()} ${BOOT_ID}`)
    writeFileSync(join(root, 'locks', 'commits.lock.break'), `${pid} ${hostname()} ${BOOT_ID}`)
    writeFileSync(join(root, 'locks', `holder-${pid}-abcdef`), `${pid} ${hostname()} ${BOOT_ID}`)
    const store = await FsStore.open({ root })
    expect(lockFiles(root)).toEqual([])
    await store.close()
    expect(readdirSync(join(root, 'locks'))).toEqual([])
  })
})
