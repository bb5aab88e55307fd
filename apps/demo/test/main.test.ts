import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'cairn-demo-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function runDemo(): { store: string; steps: { run: number; cached: boolean }[]; report: { r2: number } } {
  return JSON.parse(execFileSync(process.execPath, [MAIN, '--json', '--root', root], { encoding: 'utf8' }))
}

it('computes in the first process and serves every step from FsStore in the next', () => {
  const first = runDemo()
  expect(first.store).toContain('FsStore')
  expect(first.steps.map((s) => s.cached)).toEqual([
    false,
    false,
    false,
    false,
    false,
    true,
    true,
    true,
    true,
    true,
  ])
  const second = runDemo()
  expect(second.steps.every((s) => s.cached)).toBe(true)
  expect(second.report).toEqual(first.report)
}, 60_000)
