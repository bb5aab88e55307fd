import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ErrorCode, isCairnError } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { FsStore, LAYOUT } from '../src/index.js'
import { tempRoot } from './helpers.js'

describe('FsStore layout', () => {
  it('creates a versioned layout with every directory and an empty log', async () => {
    const root = await tempRoot()
    const store = await FsStore.open({ root })
    await store.close()
    expect(JSON.parse(readFileSync(join(root, 'layout.json'), 'utf8'))).toEqual({
      format: 'cairn-fs',
      version: 1,
    })
    expect(LAYOUT).toEqual({ format: 'cairn-fs', version: 1 })
    expect(readdirSync(root).sort()).toEqual([
      'blobs',
      'commits.log',
      'layout.json',
      'locks',
      'quarantine',
      'refs',
      'tmp',
    ])
    expect(readFileSync(join(root, 'commits.log'), 'utf8')).toBe('')
    expect(readdirSync(join(root, 'tmp'))).toEqual([])
  })

  it('defaults to .cairn in the working directory', async () => {
    const root = await tempRoot()
    const cwd = process.cwd()
    process.chdir(root)
    try {
      const store = await FsStore.open()
      expect(store.root).toBe(join(root, '.cairn'))
      await store.close()
    } finally {
      process.chdir(cwd)
    }
    expect(readdirSync(join(root, '.cairn'))).toContain('layout.json')
  })

  it('refuses a root from a newer version or another format, changing nothing', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    await writeFile(join(root, 'layout.json'), JSON.stringify({ format: 'cairn-fs', version: 2 }))
    const newer = await FsStore.open({ root }).catch((e) => e)
    expect(isCairnError(newer, ErrorCode.Unsupported)).toBe(true)
    expect(newer.message).toMatch(/version 2.*reads cairn-fs version 1.*upgrade/)
    await writeFile(join(root, 'layout.json'), JSON.stringify({ format: 'something-else', version: 1 }))
    const other = await FsStore.open({ root }).catch((e) => e)
    expect(isCairnError(other, ErrorCode.Unsupported)).toBe(true)
    expect(other.message).not.toMatch(/upgrade/)
    expect(readdirSync(join(root, 'locks'))).toEqual([]) // a refused open leaves nothing behind
  })

  it('reports a damaged layout file as corrupt rather than starting over', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    await writeFile(join(root, 'layout.json'), '{"format": "cairn-fs", "vers')
    const error = await FsStore.open({ root }).catch((e) => e)
    expect(isCairnError(error, ErrorCode.Corrupt)).toBe(true)
    expect(readFileSync(join(root, 'layout.json'), 'utf8')).toBe('{"format": "cairn-fs", "vers')
  })

  it('recreates a directory removed by hand', async () => {
    const root = await tempRoot()
    await (await FsStore.open({ root })).close()
    await rm(join(root, 'tmp'), { recursive: true })
    const store = await FsStore.open({ root })
    const { hash } = await store.putBlob(new Uint8Array([1, 2, 3]))
    expect(await store.getBlob(hash)).toEqual(new Uint8Array([1, 2, 3]))
    await store.close()
  })

  it('refuses a non-empty directory that is not a Cairn store, and writes nothing into it', async () => {
    const root = await tempRoot()
    mkdirSync(join(root, '.git'))
    writeFileSync(join(root, 'commits.log'), "someone else's notes\n")
    const error = await FsStore.open({ root }).catch((e) => e)
    expect(isCairnError(error, ErrorCode.InvalidArgument)).toBe(true)
    expect(error.message).toMatch(/not a Cairn store/)
    expect(readdirSync(root).sort()).toEqual(['.git', 'commits.log'])
    expect(readFileSync(join(root, 'commits.log'), 'utf8')).toBe("someone else's notes\n")
    // What an unfinished creation leaves (empty directories, an empty log) is completed.
    const partial = await tempRoot()
    mkdirSync(join(partial, 'blobs', 'sha256'), { recursive: true })
    writeFileSync(join(partial, 'commits.log'), '')
    await (await FsStore.open({ root: partial })).close()
    expect(readdirSync(partial)).toContain('layout.json')
  })

  it('with create: false opens an existing store only, and creates nothing', async () => {
    const parent = await tempRoot()
    const root = join(parent, 'missing', 'store')
    const error = await FsStore.open({ root, create: false }).catch((e) => e)
    expect(isCairnError(error, ErrorCode.NotFound)).toBe(true)
    expect(existsSync(join(parent, 'missing'))).toBe(false)
    await (await FsStore.open({ root })).close()
    await (await FsStore.open({ root, create: false })).close()
  })
})
