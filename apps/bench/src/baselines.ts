import { createHash, randomBytes } from 'node:crypto'
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { timeOps } from './measure.js'

/** The raw durable write Cairn's own writes are measured against: write, fdatasync, rename. */
export function rawDurableWrite(dir: string, bytes: Uint8Array, name: string): void {
  const temp = join(dir, `${name}.tmp`)
  const fd = openSync(temp, 'w')
  writeSync(fd, bytes)
  fdatasyncSync(fd)
  closeSync(fd)
  renameSync(temp, join(dir, name))
}

export async function rawWriteTimes(dir: string, size: number, iterations: number): Promise<number[]> {
  mkdirSync(dir, { recursive: true })
  const bytes = randomBytes(size)
  return timeOps(iterations, (i) => rawDurableWrite(dir, bytes, `raw-${size}-${i}`))
}

export async function rawReadTimes(dir: string, size: number, iterations: number): Promise<number[]> {
  rawDurableWrite(dir, randomBytes(size), `read-${size}`)
  return timeOps(iterations, () => readFileSync(join(dir, `read-${size}`)))
}

export function sha256Rate(size: number): number {
  const bytes = randomBytes(size)
  const start = process.hrtime.bigint()
  createHash('sha256').update(bytes).digest()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return size / 1024 / 1024 / seconds
}
