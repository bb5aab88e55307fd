import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Commit, commitHash, sha256Hex } from '@cairn/core'
import { afterEach } from 'vitest'

const PACKAGE = fileURLToPath(new URL('..', import.meta.url))
const CHILD = join(PACKAGE, 'test', 'fixtures', 'child.mjs')

const roots: string[] = []

/** A fresh directory removed after the test. */
export async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-fs-'))
  roots.push(root)
  return root
}

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true })
})

export const utf8: { encode(text: string): Uint8Array } = new TextEncoder()

/** A valid commit; `seed` makes its fingerprint, `extra` overrides fields before hashing. */
export function makeCommit(seed: string, createdAt = 1, extra: Partial<Omit<Commit, 'hash'>> = {}): Commit {
  const funcHash = sha256Hex(`f${seed}`)
  const argsHash = sha256Hex(`a${seed}`)
  const body: Omit<Commit, 'hash'> = {
    fingerprint: `${funcHash}:${argsHash}`,
    task: { name: 't', funcHash, source: 's', argsHash, argsPreview: '' },
    status: 'completed',
    output: { kind: 'inline', value: seed },
    inputs: [],
    tags: {},
    createdAt,
    durationMs: 0,
    ...extra,
  }
  return { hash: commitHash(body), ...body }
}

export function blobFile(root: string, hash: string): string {
  return join(root, 'blobs', 'sha256', hash.slice(0, 2), hash)
}

/**
 * The child processes run the compiled package (plain `node` on Node 20 has no TypeScript loader),
 * so the tests compile `src/` to `dist/` first when `dist/` is missing or older than any source
 * file. `@cairn/core` resolves to its own `dist/` in a child: it is built only when missing.
 */
export function ensureBuilt(): void {
  const tsc = join(PACKAGE, 'node_modules', '.bin', 'tsc')
  const core = join(PACKAGE, '..', 'core')
  if (!existsSync(join(core, 'dist', 'index.js'))) {
    execFileSync(tsc, ['-p', join(core, 'tsconfig.build.json')], { stdio: 'inherit' })
  }
  const stale = readdirSync(join(PACKAGE, 'src')).some((file) => {
    const built = join(PACKAGE, 'dist', file.replace(/\.ts$/, '.js'))
    return !existsSync(built) || statSync(built).mtimeMs < statSync(join(PACKAGE, 'src', file)).mtimeMs
  })
  if (stale) execFileSync(tsc, ['-p', join(PACKAGE, 'tsconfig.build.json')], { stdio: 'inherit' })
}

export type Child = ChildProcess & {
  /** stdout once the child exits (0, or killed by SIGKILL); rejects on any other exit. */
  output: Promise<string>
  /** Resolves when stdout has contained `text`. */
  waitFor(text: string): Promise<void>
}

/** Runs `test/fixtures/child.mjs <mode> <root> ...args` on the built package. */
export function child(
  mode: string,
  root: string,
  args: string[] = [],
  options: { env?: Record<string, string>; uid?: number; gid?: number } = {},
): Child {
  const proc = spawn(process.execPath, [CHILD, mode, root, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    uid: options.uid,
    gid: options.gid,
  })
  let out = ''
  let err = ''
  const watchers: { text: string; resolve: () => void }[] = []
  proc.stdout?.on('data', (d) => {
    out += d
    for (const w of watchers.splice(0)) {
      if (out.includes(w.text)) w.resolve()
      else watchers.push(w)
    }
  })
  proc.stderr?.on('data', (d) => {
    err += d
  })
  const output = new Promise<string>((resolve, reject) => {
    proc.on('exit', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve(out)
      else reject(new Error(`child ${mode} exited ${code ?? signal}: ${err}`))
    })
  })
  output.catch(() => undefined) // observed by whoever awaits it; never an unhandled rejection here
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.includes(text)) return resolve()
      watchers.push({ text, resolve })
      output.then(() => reject(new Error(`child ${mode} ended without printing ${text}: ${err}`)), reject)
    })
  return Object.assign(proc, { output, waitFor })
}
