import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Cairn, type LineageGraph } from '@cairn/core'
import { FsStore } from '@cairn/fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-lineage-'))
const STORE = `fs://${join(dir, '.cairn')}`
/** a → b → c, a → d, made in that order (d is a's newest consumer). */
let a: string
let b: string
let c: string
let d: string

function cairn(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args, '--store', STORE], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CAIRN_STORE: '' },
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

function graph(args: string[]): LineageGraph {
  const r = cairn([...args, '--json'])
  expect(r.err).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.out)
}

const short = (hash: string) => hash.slice(0, 12)
/** The tree's first column of each row: branches and short hashes. */
const firstColumn = (text: string) => text.split('\n').map((line) => /^.*?[0-9a-f]{12}/.exec(line)?.[0])

beforeAll(async () => {
  const store = await FsStore.open({ root: join(dir, '.cairn') })
  let clock = Date.now() - 3_600_000
  const client = new Cairn({ store, now: () => (clock += 1000), leases: false })
  const ra = await client.task((n: number) => [n, n + 1], { name: 'load' })(1)
  const rb = await client.task((xs: number[]) => xs.map((x) => x * 2), { name: 'clean' })(ra)
  const rc = await client.task((xs: number[]) => xs.length, { name: 'fit' })(rb)
  const rd = await client.task((xs: number[]) => `rows ${xs}`, { name: 'report' })(ra)
  ;[a, b, c, d] = [ra.commit, rb.commit, rc.commit, rd.commit]
  await client.close()
  await store.close()
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('cairn lineage', () => {
  it('--json prints the exact graph, downstream newest consumer first, upstream through inputs', () => {
    const down = graph(['lineage', a, '--down'])
    expect(down.root).toBe(a)
    expect(down.direction).toBe('downstream')
    expect(Object.keys(down.nodes).sort()).toEqual([a, b, c, d].sort())
    expect(down.edges).toEqual([
      [a, d],
      [a, b],
      [b, c],
    ])
    expect(down.nodes[b]).toMatchObject({ missing: false, name: 'clean', status: 'completed', inputs: [a] })
    expect(down.truncated).toBe(false)
    const up = graph(['lineage', short(c), '--up'])
    expect(up.root).toBe(c)
    expect(up.edges).toEqual([
      [b, c],
      [a, b],
    ])
    const both = graph(['lineage', b])
    expect(both.direction).toBe('both')
    expect(both.edges).toEqual([
      [a, b],
      [b, c],
    ])
    const shallow = graph(['lineage', a, '--down', '--depth', '1'])
    expect(Object.keys(shallow.nodes).sort()).toEqual([a, b, d].sort())
    expect(shallow.truncated).toBe(true)
  })

  it('prints an indented tree per direction with short hashes, task names and status', () => {
    const r = cairn(['lineage', short(a), '--down'])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const lines = r.out.trimEnd().split('\n')
    expect(lines[0]).toBe(`downstream of ${short(a)} (what consumed it):`)
    expect(lines[1]).toMatch(/^commit\s+task\s+status\s+created\s+note$/)
    expect(firstColumn(lines.slice(2).join('\n'))).toEqual([
      short(a),
      `├─ ${short(d)}`,
      `└─ ${short(b)}`,
      `   └─ ${short(c)}`,
    ])
    expect(lines[5]).toMatch(/└─ \w{12}\s+fit\s+completed\s+\d+m ago$/)

    const both = cairn(['lineage', b]).out
    expect(both).toContain(`upstream of ${short(b)} (what it consumed):`)
    expect(both).toContain(`downstream of ${short(b)} (what consumed it):`)
    expect(both).toMatch(new RegExp(`└─ ${short(a)}\\s+load\\s+completed`))
    expect(both).toMatch(new RegExp(`└─ ${short(c)}\\s+fit\\s+completed`))
    expect(cairn(['lineage', a, '--down', '--depth', '1']).out).toContain('more lies beyond --depth 1')
  })

  it('shows a deleted input as missing instead of failing', () => {
    expect(cairn(['rm', a]).code).toBe(0)
    const up = graph(['lineage', c, '--up'])
    expect(up.nodes[a]).toEqual({ hash: a, missing: true })
    const r = cairn(['lineage', c, '--up'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(new RegExp(`└─ ${short(a)}\\s+missing\\s+not in the store`))
  })

  it('refuses bad usage (exit 2) and an unknown commit (exit 1)', () => {
    for (const args of [
      ['lineage', c, '--up', '--down'],
      ['lineage', c, '--depth', 'two'],
      ['lineage'],
      ['lineage', c, d],
    ]) {
      const r = cairn(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.out).toBe('')
    }
    const unknown = cairn(['lineage', 'ffff0000'])
    expect(unknown.code).toBe(1)
    expect(unknown.err).toContain('CAIRN_NOT_FOUND')
  })
})
