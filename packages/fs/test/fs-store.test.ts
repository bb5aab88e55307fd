import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeCommit } from '@cairn/conformance'
import { Cairn, type Commit, ErrorCode, isCairnError } from '@cairn/core'
import { afterEach, describe, expect, it } from 'vitest'
import { FsStore } from '../src/index.js'

const CHILD = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url))
const roots: string[] = []

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-fs-'))
  roots.push(root)
  return root
}

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true })
})

const commit = (seed: string, createdAt = 1): Commit => makeCommit({ seed, createdAt })

function child(
  mode: string,
  root: string,
  args: string[] = [],
  env: Record<string, string> = {},
): ChildProcess & { output: Promise<string> } {
  const proc = spawn(process.execPath, [CHILD, mode, root, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let out = ''
  let err = ''
  proc.stdout?.on('data', (d) => {
    out += d
  })
  proc.stderr?.on('data', (d) => {
    err += d
  })
  const output = new Promise<string>((resolve, reject) => {
    proc.on('exit', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve(out)
      else reject(new Error(`child ${mode} exited ${code}: ${err}`))
    })
  })
  return Object.assign(proc, { output })
}

function waitForOutput(proc: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = ''
    proc.stdout?.on('data', (d) => {
      seen += d
      if (seen.includes(text)) resolve()
    })
  })
}

describe('FsStore layout', () => {
  it('writes a versioned layout and refuses a root from a newer format', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    expect(JSON.parse(readFileSync(join(root, 'layout.json'), 'utf8'))).toEqual({
      format: 'cairn-fs',
      version: 1,
    })
    await writeFile(join(root, 'layout.json'), JSON.stringify({ format: 'cairn-fs', version: 2 }))
    const error = await FsStore.open({ root }).catch((e) => e)
    expect(isCairnError(error, ErrorCode.Unsupported)).toBe(true)
    expect(error.message).toMatch(/version 2/)
  })

  it('leaves no temp or lock file behind after many writes and swaps', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.putBlob(new TextEncoder().encode(`blob ${i % 10}`))),
    )
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.setRef('r', `v${i}`, i % 2 ? null : undefined)),
    )
    for (let i = 0; i < 10; i++) await store.putCommit(commit(`c${i}`))
    expect(readdirSync(join(root, 'tmp'))).toEqual([])
    // While open, the only file in locks/ is this process's holder (locks are hard links to it).
    expect(readdirSync(join(root, 'locks'))).toEqual([
      expect.stringMatching(new RegExp(`^holder-${process.pid}-`)),
    ])
    const second = await FsStore.open({ root })
    await store.close()
    expect(await second.setRef('after-first-close', 'ok')).toBe(true)
    await second.close()
    expect(readdirSync(join(root, 'locks'))).toEqual([])
  })

  it('removes temp files of dead writers on open, and keeps those of live ones', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    const dead = spawn(process.execPath, ['-e', '0'])
    await new Promise((r) => dead.on('exit', r))
    await writeFile(join(root, 'tmp', `${dead.pid}-abc.tmp`), 'partial')
    await writeFile(join(root, 'tmp', `${process.pid}-def.tmp`), 'in progress')
    await (await FsStore.open({ root })).close()
    expect(readdirSync(join(root, 'tmp'))).toEqual([`${process.pid}-def.tmp`])
  })
})

describe('FsStore commit log', () => {
  it('ignores a torn tail, keeps working, and never loses a later commit to it', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    await store.putCommit(commit('before'))
    await store.close()
    appendFileSync(join(root, 'commits.log'), '\n0123456789abcdef {"op":"put","commit":{"hash":"trunc')
    const reopened = await FsStore.open({ root })
    expect((await reopened.getCommit(commit('before').hash))?.hash).toBe(commit('before').hash)
    await reopened.putCommit(commit('after'))
    await reopened.close()
    const third = await FsStore.open({ root })
    expect((await third.getCommit(commit('after').hash))?.hash).toBe(commit('after').hash)
    expect(third.logHealth()).toMatchObject({ badRecords: 1, liveCommits: 2 })
    await third.close()
  })

  it('shares commits and refs between instances, through compaction', async () => {
    const root = await tempRoot()
    const a = await FsStore.open({ root })
    const b = await FsStore.open({ root })
    const [x, y, z] = [commit('x', 1), commit('y', 2), commit('z', 3)]
    await a.putCommit(x)
    await a.putCommit(y)
    expect((await b.findByFingerprint(x.fingerprint))?.hash).toBe(x.hash)
    await b.deleteCommit(x.hash)
    expect(await a.getCommit(x.hash)).toBeUndefined()
    expect(await a.setRef('shared', '1', null)).toBe(true)
    expect(await b.setRef('shared', '2', null)).toBe(false)
    const before = readFileSync(join(root, 'commits.log')).length
    await b.compact()
    expect(readFileSync(join(root, 'commits.log')).length).toBeLessThan(before)
    await a.putCommit(z)
    expect((await b.history(z.hash)).map((c) => c.hash)).toEqual([z.hash])
    expect(a.logHealth()).toMatchObject({ liveCommits: 2, deadRecords: 0 })
    expect((await b.getCommit(y.hash))?.hash).toBe(y.hash)
    await a.close()
    await b.close()
  })
})

describe('FsStore across processes', () => {
  it('lets exactly one of several processes win a compare-and-swap', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    const children = Array.from({ length: 6 }, (_, i) => child('cas', root, ['leases/race', `child-${i}`]))
    await new Promise((r) => setTimeout(r, 400)) // let every child open the store
    for (const c of children) c.stdin?.end('go\n')
    const results = await Promise.all(children.map((c) => c.output))
    expect(results.filter((r) => r === 'won')).toHaveLength(1)
    const store = await FsStore.open({ root })
    expect(await store.getRef('leases/race')).toBe(`child-${results.indexOf('won')}`)
    await store.close()
  }, 30_000)

  it('survives kill -9 of a writer at random points: no corrupt blob, no commit without its blob', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    for (let round = 0; round < 12; round++) {
      const writer = child('writer', root, [`r${round}`])
      await waitForOutput(writer, 'started')
      await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 60)))
      writer.kill('SIGKILL')
      await writer.output
    }
    const store = await FsStore.open({ root })
    let blobs = 0
    for await (const blob of store.listBlobs()) {
      await store.getBlob(blob.hash) // throws CAIRN_CORRUPT if any blob is damaged
      blobs++
    }
    let commits = 0
    for await (const c of store.listCommits()) {
      if (c.output?.kind === 'blob') expect(await store.hasBlob(c.output.blob.hash)).toBe(true)
      commits++
    }
    expect(blobs).toBeGreaterThan(12)
    expect(commits).toBeGreaterThan(12)
    expect(readdirSync(join(root, 'tmp'))).toEqual([])
    await store.putCommit(commit('still works'))
    await store.close()
  }, 120_000)

  it('runs an identical call once when two processes submit it together', async () => {
    const root = await tempRoot()
    const marker = join(root, 'runs.txt')
    await writeFile(marker, '')
    const [a, b] = [0, 1].map(() => child('submit', root, [marker], { HOLD_MS: '400' })) as [
      ReturnType<typeof child>,
      ReturnType<typeof child>,
    ]
    const outputs = (await Promise.all([a.output, b.output])).map((o) => JSON.parse(o))
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toHaveLength(1)
    expect(outputs.map((o) => o.value)).toEqual([42, 42])
    expect(outputs.map((o) => o.cached).sort()).toEqual([false, true])
  }, 60_000)

  it('takes over at once when the lease holder is killed mid-run', async () => {
    const root = await tempRoot()
    const marker = join(root, 'runs.txt')
    await writeFile(marker, '')
    const holder = child('submit', root, [marker], { HOLD_MS: '60000' })
    while (readFileSync(marker, 'utf8') === '') await new Promise((r) => setTimeout(r, 20))
    holder.kill('SIGKILL')
    await holder.output
    const started = Date.now()
    const second = child('submit', root, [marker], { HOLD_MS: '10' })
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
})

describe('Cairn on FsStore', () => {
  it('serves a second client in a new instance from disk, and self-heals a deleted blob', async () => {
    const root = await tempRoot()
    let calls = 0
    const f = (n: number) => {
      calls++
      return 'v'.repeat(n)
    }
    const firstStore = await FsStore.open({ root })
    const first = new Cairn({ store: firstStore })
    const ref = await first.task(f, { name: 'f' })(3000)
    await first.close()
    await firstStore.close()
    const store = await FsStore.open({ root })
    const second = new Cairn({ store })
    const hit = await second.task(f, { name: 'f' })(3000)
    expect(hit.cached).toBe(true)
    expect(hit.commit).toBe(ref.commit)
    expect(calls).toBe(1)
    await rm(join(root, 'blobs', 'sha256', hit.hash.slice(0, 2), hit.hash))
    const healed = await second.task(f, { name: 'f' })(3000)
    expect(healed.cached).toBe(false)
    expect(await healed.load()).toBe('v'.repeat(3000))
    await store.close()
  })
})
