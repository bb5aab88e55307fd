import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CairnError, ErrorCode } from '@cairn/core'
import { errno, ioError } from './io-errors.js'

/** The on-disk format this build reads and writes. */
export const LAYOUT = { format: 'cairn-fs', version: 1 } as const

export interface Paths {
  root: string
  layout: string
  blobs: string
  tmp: string
  quarantine: string
  refs: string
  locks: string
  log: string
}

export function pathsFor(root: string): Paths {
  return {
    root,
    layout: join(root, 'layout.json'),
    blobs: join(root, 'blobs', 'sha256'),
    tmp: join(root, 'tmp'),
    quarantine: join(root, 'quarantine'),
    refs: join(root, 'refs'),
    locks: join(root, 'locks'),
    log: join(root, 'commits.log'),
  }
}

export function blobPath(paths: Paths, hash: string): string {
  return join(paths.blobs, hash.slice(0, 2), hash)
}

/** Creates the layout on first use; refuses a root written by an unknown format or a newer version. */
export async function ensureLayout(paths: Paths): Promise<void> {
  let text: string | undefined
  try {
    text = await readFile(paths.layout, 'utf8')
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw ioError('reading', paths.layout, error)
  }
  if (text === undefined) {
    for (const dir of [paths.blobs, paths.tmp, paths.quarantine, paths.refs, paths.locks]) {
      await mkdir(dir, { recursive: true }).catch((error) => {
        throw ioError('creating', dir, error)
      })
    }
    const temp = join(paths.tmp, `layout-${process.pid}-${Math.random().toString(16).slice(2)}.json`)
    await writeFile(temp, `${JSON.stringify(LAYOUT)}\n`)
    await rename(temp, paths.layout)
    return
  }
  let layout: { format?: unknown; version?: unknown }
  try {
    layout = JSON.parse(text)
  } catch (cause) {
    throw new CairnError(ErrorCode.Corrupt, `${paths.layout} is not valid JSON`, { cause })
  }
  if (layout.format !== LAYOUT.format || layout.version !== LAYOUT.version) {
    throw new CairnError(
      ErrorCode.Unsupported,
      `${paths.root} holds ${String(layout.format)} version ${String(layout.version)}; this @cairn/fs reads ${LAYOUT.format} version ${LAYOUT.version}`,
      { details: { layout } },
    )
  }
  for (const dir of [paths.blobs, paths.tmp, paths.quarantine, paths.refs, paths.locks]) {
    await mkdir(dir, { recursive: true })
  }
}
