import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Cairn } from '@cairn/core'
import { FsStore } from '@cairn/fs'
import { afterAll, expect, it } from 'vitest'

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-outputs-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function cairn(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args, '--store', `fs://${join(dir, '.cairn')}`], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', CAIRN_STORE: '' },
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

it('shows packaged outputs: raw artifacts stream as stored, bundles print as JSON', async () => {
  const store = await FsStore.open({ root: join(dir, '.cairn') })
  const client = new Cairn({ store, leases: false })
  const floats = await client.task((n: number) => new Float32Array([n, n / 2]), { name: 'floats' })(3)
  const bundle = await client.task((n: number) => ({ w: new Int16Array([n, -n]), label: 'm' }), {
    name: 'model',
  })(4)
  await store.close()

  const log = cairn(['log'])
  expect(log.code).toBe(0)
  expect(log.out).toMatch(/model .*bundle of 2 \(record\)/)
  expect(log.out).toMatch(/floats .*ndarray [0-9a-f]{10} \(8 B\)/)

  // -o writes the stored artifact as it is: two little-endian float32s.
  const file = join(dir, 'floats.bin')
  expect(cairn(['get', floats.commit, '-o', file]).code).toBe(0)
  expect(Array.from(new Float32Array(new Uint8Array(readFileSync(file)).buffer))).toEqual([3, 1.5])

  const got = cairn(['get', bundle.commit, '--json'])
  expect(got.code).toBe(0)
  expect(JSON.parse(got.out)).toEqual({ w: [4, -4], label: 'm' })
})

it('show lists how each output and bundle member was packed; get --member picks one member', async () => {
  const store = await FsStore.open({ root: join(dir, '.cairn') })
  const client = new Cairn({ store, leases: false })
  const bytesOut = await client.task((n: number) => new Uint8Array([n, n + 1]), { name: 'raw' })(7)
  const bundle = await client.task(
    (n: number) => ({ layers: [{ w: new Float64Array([n]) }], label: 'm', bias: new Uint8Array([n]) }),
    { name: 'nested' },
  )(2)
  await store.close()

  const shown = cairn(['show', bytesOut.commit])
  expect(shown.code).toBe(0)
  expect(shown.out).toMatch(/packed\s+bytes 1, bytes, class "Uint8Array", node \d+\.\d+\.\d+/)

  const members = cairn(['show', bundle.commit])
  expect(members.code).toBe(0)
  expect(members.out).toMatch(
    /member\s+layers\.0\.w: [0-9a-f]{10} \(8 B\) ndarray 1, ndarray, dtype "float64", shape \[1\]/,
  )
  expect(members.out).toMatch(/member\s+label: inline "m"/)
  expect(members.out).toMatch(/member\s+bias: [0-9a-f]{10} \(1 B\) bytes 1/)

  // A member that is a blob streams as stored; any other member prints as JSON.
  const file = join(dir, 'w.f64')
  expect(cairn(['get', bundle.commit, '--member', 'layers.0.w', '-o', file]).code).toBe(0)
  expect(Array.from(new Float64Array(new Uint8Array(readFileSync(file)).buffer))).toEqual([2])
  const label = cairn(['get', bundle.commit, '--member', 'label', '--json'])
  expect(JSON.parse(label.out)).toBe('m')
  const layer = cairn(['get', bundle.commit, '--member', 'layers.0', '--json'])
  expect(JSON.parse(layer.out)).toEqual({ w: [2] })

  const missing = cairn(['get', bundle.commit, '--member', 'nope'])
  expect(missing.code).toBe(1)
  expect(missing.err).toMatch(/CAIRN_NOT_FOUND: .*no member "nope"/)
  const notBundle = cairn(['get', bytesOut.commit, '--member', 'x'])
  expect(notBundle.code).toBe(1)
  expect(notBundle.err).toMatch(/CAIRN_NOT_FOUND: .*is not a bundle/)
})
