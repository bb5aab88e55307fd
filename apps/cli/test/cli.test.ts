import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Cairn, type Commit } from '@cairn/core'
import { FsStore } from '@cairn/fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-'))
const root = join(dir, '.cairn')
const STORE = `fs://${root}`
let hashes: { small: string; big: string; failed: string; twice: [string, string] }

function cairn(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', CAIRN_STORE: '', ...env },
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}
const json = (args: string[]) => {
  const r = cairn([...args, '--store', STORE, '--json'])
  expect(r.err).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.out)
}

beforeAll(async () => {
  const store = await FsStore.open({ root })
  let clock = Date.now() - 3_600_000
  const client = new Cairn({ store, now: () => (clock += 1000), leases: false })
  const small = await client.task((x: number) => ({ x, y: x * 2 }), { name: 'small', tags: { env: 'test' } })(
    1,
  )
  const letter = 'z'
  const big = await client.task((n: number) => letter.repeat(n), {
    name: 'big',
    allowFreeVariables: ['letter'],
  })(5000)
  const failed = await client
    .task(
      (_x: number): number => {
        throw new RangeError('out of range')
      },
      { name: 'boom' },
    )(1)
    .catch(() => undefined)
  void failed
  const noisy = client.task((x: number) => x + 1, { name: 'noisy', cache: false })
  const a = await noisy(1)
  const b = await noisy(1)
  const failedCommit = (await client.log({ status: 'failed' }))[0] as Commit
  hashes = { small: small.commit, big: big.commit, failed: failedCommit.hash, twice: [a.commit, b.commit] }
  await store.close()
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('cairn CLI against a real FsStore', () => {
  it('log lists newest first with filters, as a table and as JSON', () => {
    const all = json(['log'])
    expect(all.map((c: Commit) => c.task.name)).toEqual(['noisy', 'noisy', 'boom', 'big', 'small'])
    expect(json(['log', '--func', 'small']).map((c: Commit) => c.hash)).toEqual([hashes.small])
    expect(json(['log', '--tag', 'env=test']).map((c: Commit) => c.hash)).toEqual([hashes.small])
    expect(json(['log', '--status', 'failed']).map((c: Commit) => c.hash)).toEqual([hashes.failed])
    expect(json(['log', '-n', '2'])).toHaveLength(2)
    expect(json(['log', '--since', '1m'])).toHaveLength(0) // the fixture's clock is an hour back
    const table = cairn(['log', '--store', STORE])
    expect(table.code).toBe(0)
    expect(table.out.split('\n')[0]).toMatch(/^commit\s+task\s+status\s+created\s+took\s+output$/)
    expect(table.out).toContain(hashes.small.slice(0, 12))
    expect(table.out).toMatch(/ago/)
    expect(table.out).not.toMatch(/\u001b\[/) // not a TTY: no colors
  })

  it('show prints source, args, output and lineage; --json is the commit', () => {
    const r = cairn(['show', hashes.small.slice(0, 8), '--store', STORE])
    expect(r.code).toBe(0)
    expect(r.out).toContain('task       small')
    expect(r.out).toContain('args       [1]')
    expect(r.out).toContain('tag        env=test')
    expect(r.out).toMatch(/--- source ---\n.*y: x \* 2/s)
    expect(json(['show', hashes.small]).hash).toBe(hashes.small)
    const later = cairn(['show', hashes.twice[1], '--store', STORE])
    expect(later.out).toContain(`parent     ${hashes.twice[0]}`)
    expect(r.out).not.toContain('unkeyed')
    const unkeyed = cairn(['show', hashes.big, '--store', STORE])
    expect(unkeyed.out).toContain('unkeyed    letter (allowed by allowFreeVariables; not part of the key)')
  })

  it('get writes the stored bytes to a file or a pipe, and pretty JSON with --json', () => {
    // A long string is stored as a text artifact: -o writes its UTF-8 bytes as they are.
    const file = join(dir, 'out.txt')
    expect(cairn(['get', hashes.big.slice(0, 10), '-o', file, '--store', STORE]).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe('z'.repeat(5000))
    const piped = cairn(['get', hashes.small, '--store', STORE])
    expect(JSON.parse(piped.out)).toEqual({ x: 1, y: 2 })
    expect(json(['get', hashes.small])).toEqual({ x: 1, y: 2 })
    const failed = cairn(['get', hashes.failed, '--store', STORE])
    expect(failed.code).toBe(1)
    expect(failed.err).toMatch(/^cairn: CAIRN_NOT_FOUND: commit \w+ failed \(RangeError: out of range\)/)
  })

  it('diff and history', () => {
    const d = json(['diff', hashes.small, hashes.big])
    expect(d.function.changed).toBe(true)
    expect(d.output.changed).toBe(true)
    expect(cairn(['diff', hashes.small, hashes.big, '--store', STORE]).out).toMatch(/function\s+changed/)
    const h = json(['history', hashes.twice[0]])
    expect(h.map((c: Commit) => c.hash)).toEqual([hashes.twice[1], hashes.twice[0]])
  })

  it('stats, then gc --dry-run changes nothing and gc --keep removes', () => {
    const before = json(['stats'])
    expect(before).toMatchObject({ commits: 5, completed: 4, failed: 1 })
    const dry = json(['gc', '--keep', '2', '--dry-run'])
    expect(dry.dryRun).toBe(true)
    expect(dry.commitsRemoved).toHaveLength(3)
    expect(json(['stats']).commits).toBe(5)
    const human = cairn(['gc', '--keep', '4', '--store', STORE])
    expect(human.code).toBe(0)
    expect(human.out).toMatch(/^removed 1 commits and 1 blobs/)
    expect(json(['stats']).commits).toBe(4)
  })

  it('verify exits 0 on a healthy store and 1 after damage, quarantining the corrupt blob', async () => {
    expect(cairn(['verify', '--store', STORE]).code).toBe(0)
    const commit = json(['show', hashes.big])
    const blob = commit.output.blob.hash as string
    writeFileSync(join(root, 'blobs', 'sha256', blob.slice(0, 2), blob), 'tampered')
    const r = cairn(['verify', '--store', STORE, '--json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out).corrupt).toEqual([blob])
    expect(existsSync(join(root, 'blobs', 'sha256', blob.slice(0, 2), blob))).toBe(false)
  })

  it('rm removes a commit; unknown and malformed hashes are one coded line with exit 1', () => {
    // (gc --keep 4 above already removed `small`, the oldest)
    expect(json(['rm', hashes.big])).toEqual({ removed: [hashes.big] })
    const gone = cairn(['show', hashes.big, '--store', STORE])
    expect(gone.code).toBe(1)
    expect(gone.err.trim().split('\n')).toHaveLength(1)
    expect(gone.err).toMatch(/^cairn: CAIRN_NOT_FOUND: /)
    expect(cairn(['show', 'zz', '--store', STORE]).err).toMatch(/^cairn: CAIRN_INVALID_ARGUMENT: /)
    expect(cairn(['show', 'zz', '--store', STORE, '--verbose']).err).toMatch(/\n\s+at /)
  })
})

describe('on a terminal', () => {
  // `script` (util-linux) runs the CLI on a real pseudo-terminal, as a person would see it.
  const onTty = (args: string, env: Record<string, string> = {}) =>
    spawnSync(
      'script',
      ['-q', '-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} ${args}`, '/dev/null'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '', CAIRN_STORE: STORE, ...env },
      },
    ).stdout

  it('uses colors on a TTY, and none with NO_COLOR', () => {
    expect(onTty('log -n 1')).toMatch(/\u001b\[\d+m/)
    expect(onTty('log -n 1', { NO_COLOR: '1' })).not.toMatch(/\u001b\[\d+m/)
  })

  it('draws a progress bar for verify', () => {
    const screen = onTty('verify')
    expect(screen).toMatch(/\r\u001b\[2Kverify (blobs|commits) /) // redrawn in place on stderr
    expect(screen).toMatch(/\r\u001b\[2Kchecked \d+ blobs/) // and cleared before the report
  })
})

describe('usage, store selection and init', () => {
  it('exits 2 on usage errors and prints help with examples', () => {
    expect(cairn(['bogus']).code).toBe(2)
    expect(cairn(['log', '--nope', '--store', STORE]).code).toBe(2)
    expect(cairn(['gc', '--older-than', 'soon', '--store', STORE]).err).toMatch(/duration like 30d/)
    expect(cairn([]).code).toBe(2)
    const help = cairn(['--help'])
    expect(help.code).toBe(0)
    expect(help.out).toContain('gc [--older-than 30d] [--keep N] [--max-size 5GiB] [--dry-run]')
    expect(cairn(['gc', '--help']).out).toContain('examples:')
  })

  it('names the package a store scheme needs when it is not installed', () => {
    // An install with only the required dependencies: the built CLI beside core and fs, nothing else.
    const install = mkdtempSync(join(tmpdir(), 'cairn-cli-bare-'))
    try {
      cpSync(fileURLToPath(new URL('../dist', import.meta.url)), join(install, 'dist'), { recursive: true })
      writeFileSync(join(install, 'package.json'), '{"type":"module"}')
      mkdirSync(join(install, 'node_modules', '@cairn'), { recursive: true })
      for (const pkg of ['core', 'fs']) {
        const installed = realpathSync(
          fileURLToPath(new URL(`../node_modules/@cairn/${pkg}`, import.meta.url)),
        )
        symlinkSync(installed, join(install, 'node_modules', '@cairn', pkg), 'dir')
      }
      const r = spawnSync(
        process.execPath,
        [join(install, 'dist', 'main.js'), 'stats', '--store', 'redis://127.0.0.1:6379/0'],
        {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '', CAIRN_STORE: '' },
        },
      )
      expect(r.status).toBe(1)
      expect(r.stderr).toBe(
        'cairn: store scheme redis:// needs the package @cairn/redis; install it with: pnpm add @cairn/redis\n',
      )
    } finally {
      rmSync(install, { recursive: true, force: true })
    }
  })

  it('init writes cairn.config.json; then the store comes from it, unless CAIRN_STORE or --store say otherwise', () => {
    const project = mkdtempSync(join(tmpdir(), 'cairn-cli-init-'))
    try {
      const run = (args: string[], env: Record<string, string> = {}) =>
        spawnSync(process.execPath, [CLI, ...args], {
          cwd: project,
          encoding: 'utf8',
          env: { ...process.env, CAIRN_STORE: '', ...env },
        })
      expect(run(['init', '--store', STORE]).status).toBe(0)
      expect(JSON.parse(readFileSync(join(project, 'cairn.config.json'), 'utf8'))).toEqual({ store: STORE })
      expect(run(['init']).status).toBe(2) // exists: needs --force
      expect(JSON.parse(run(['stats', '--json']).stdout).commits).toBe(3)
      const other = `fs://${join(project, 'other')}`
      // Only init creates a store: reading commands on a missing one say so and create nothing.
      const missing = run(['stats', '--json'], { CAIRN_STORE: other })
      expect(missing.status).toBe(1)
      expect(missing.stderr).toMatch(/CAIRN_NOT_FOUND: no Cairn store at/)
      const rmMissing = run(['rm', 'abcdef', '--store', other])
      expect(rmMissing.stderr).toMatch(/CAIRN_NOT_FOUND/)
      expect(existsSync(join(project, 'other'))).toBe(false)
      const sqlite = run(['log', '--store', `sqlite://${join(project, 'nowhere', 'x.db')}`])
      expect(sqlite.status).toBe(1)
      expect(sqlite.stderr).toMatch(/CAIRN_NOT_FOUND: no SQLite store at/)
      expect(existsSync(join(project, 'nowhere'))).toBe(false)
      expect(run(['init', '--force', '--store', other]).status).toBe(0)
      expect(JSON.parse(run(['stats', '--json', '--store', other]).stdout).commits).toBe(0)
    } finally {
      rmSync(project, { recursive: true, force: true })
    }
  })
})
