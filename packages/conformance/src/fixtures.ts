import { type Commit, commitHash, sha256Hex } from '@cairn/core'

const ZERO: string = '0'.repeat(64)

/** A valid commit (its hash is computed), with every field overridable. Time comes from `createdAt`, never the clock. */
export function makeCommit(overrides: Partial<Omit<Commit, 'hash'>> & { seed?: string } = {}): Commit {
  const { seed = 'seed', ...rest } = overrides
  const funcHash = rest.task?.funcHash ?? sha256Hex(`func:${seed}`)
  const argsHash = rest.task?.argsHash ?? sha256Hex(`args:${seed}`)
  const body: Omit<Commit, 'hash'> = {
    fingerprint: `${funcHash}:${argsHash}`,
    task: {
      name: 'task',
      funcHash,
      source: '(x) => x',
      argsHash,
      argsPreview: '[1]',
      ...rest.task,
    },
    status: 'completed',
    output: { kind: 'inline', value: seed },
    inputs: [],
    tags: {},
    createdAt: 1_700_000_000_000,
    durationMs: 1,
    ...rest,
  }
  if (rest.task) body.fingerprint = rest.fingerprint ?? `${body.task.funcHash}:${body.task.argsHash}`
  if (body.status === 'failed' && !rest.output) {
    delete body.output
    body.error = body.error ?? { name: 'Error', message: 'failed' }
  }
  return { hash: commitHash(body), ...body }
}

/** A commit with a different seed but the same fingerprint as `base`. */
export function sameCall(base: Commit, overrides: Partial<Omit<Commit, 'hash'>> & { seed: string }): Commit {
  return makeCommit({ task: base.task, ...overrides })
}

export { ZERO as ZERO_HASH }

/** Deterministic pseudo-random bytes (xorshift32), fast enough for tens of MiB. */
export function pseudoRandomBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length)
  const words = new Uint32Array(out.buffer, 0, Math.floor(length / 4))
  let x = seed >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  for (let i = words.length * 4; i < length; i++) out[i] = i & 0xff
  return out
}

/** `total` bytes in chunks of `chunkSize`, generated on the fly (never all in memory at once). */
export async function* pseudoRandomStream(
  total: number,
  chunkSize: number,
  seed = 1,
): AsyncIterable<Uint8Array> {
  let produced = 0
  let n = 0
  while (produced < total) {
    const size = Math.min(chunkSize, total - produced)
    yield pseudoRandomBytes(size, seed + n++)
    produced += size
  }
}

export async function* chunksOf(bytes: Uint8Array, sizes: number[]): AsyncIterable<Uint8Array> {
  let offset = 0
  let i = 0
  while (offset < bytes.byteLength) {
    const size = sizes[i++ % sizes.length] as number
    yield bytes.slice(offset, offset + size)
    offset += size
  }
}
