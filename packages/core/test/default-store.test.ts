import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { type FsModule, isMissingPackage, openDefaultStore } from '../src/cairn/default-store.js'
import { Cairn, ErrorCode, isCairnError, MemoryStore } from '../src/index.js'

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-default-store-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('the default store', () => {
  it('is a durable FsStore from @cairn/fs in `root`: a second client sees the first one’s results', async () => {
    const root = join(await tempDir(), '.cairn')
    let calls = 0
    const square = (n: number) => {
      calls++
      return n * n
    }
    const counted = { allowFreeVariables: ['calls'] }
    const first = new Cairn({ root, onWarning: () => {} })
    expect((await first.store()).constructor.name).toBe('FsStore')
    expect((await first.run(square, [7], counted)).cached).toBe(false)
    await first.close()
    const second = new Cairn({ root, onWarning: () => {} })
    const again = await second.run(square, [7], counted)
    expect(again.cached).toBe(true)
    expect(await again.load()).toBe(49)
    expect(calls).toBe(1)
    await second.close()
  })

  it('without @cairn/fs installed is CAIRN_MISSING_PACKAGE naming `pnpm add @cairn/fs`, not an in-memory cache', async () => {
    // A real resolution failure: a module in a directory with no node_modules imports @cairn/fs.
    const dir = await tempDir()
    const probe = join(dir, 'probe.mjs')
    await writeFile(probe, "export const importFs = () => import('@cairn/fs')\n")
    const { importFs } = (await import(/* @vite-ignore */ pathToFileURL(probe).href)) as {
      importFs: () => Promise<FsModule>
    }
    const error = await openDefaultStore(join(dir, '.cairn'), importFs).catch((e: unknown) => e)
    expect(isCairnError(error, ErrorCode.MissingPackage)).toBe(true)
    expect((error as Error).message).toContain('pnpm add @cairn/fs')
    expect((error as Error).message).toContain('new MemoryStore()')
    expect((error as { details?: unknown }).details).toEqual({
      package: '@cairn/fs',
      install: 'pnpm add @cairn/fs',
    })
    expect(isMissingPackage((error as Error).cause)).toBe(true)
  })

  it('rethrows any other failure to load @cairn/fs (a broken build, a missing dependency of it)', async () => {
    const notFound = (message: string) => Object.assign(new Error(message), { code: 'ERR_MODULE_NOT_FOUND' })
    const ofDependency = notFound(
      "Cannot find package 'ioredis' imported from /app/node_modules/@cairn/fs/dist/a.js",
    )
    expect(await openDefaultStore('.x', () => Promise.reject(ofDependency)).catch((e) => e)).toBe(
      ofDependency,
    )
    const broken = new SyntaxError('bad build of @cairn/fs')
    expect(await openDefaultStore('.x', () => Promise.reject(broken)).catch((e) => e)).toBe(broken)
  })

  it('is not opened when a store is given', async () => {
    const store = new MemoryStore()
    const cairn = new Cairn({ store, root: '/nonexistent/never-created' })
    expect(await cairn.store()).toBe(store)
    await cairn.close()
  })
})
