import { pseudoRandomBytes } from './fixtures.js'

export interface HostileCase {
  label: string
  bytes: Uint8Array
  /** Only a coded error is acceptable (no value): truncations and nesting bombs. */
  mustRefuse: boolean
}

/** A small seeded PRNG (mulberry32), so a failing case can be reproduced from its label. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Every strict prefix of a valid encoding (evenly spaced cuts for long ones): never a complete value. */
export function truncations(label: string, encoded: Uint8Array, maxCuts = 512): HostileCase[] {
  const cuts: number[] = []
  if (encoded.byteLength <= maxCuts) for (let cut = 0; cut < encoded.byteLength; cut++) cuts.push(cut)
  else for (let i = 0; i < maxCuts; i++) cuts.push(Math.floor((i * encoded.byteLength) / maxCuts))
  return cuts.map((cut) => ({
    label: `${label} cut at ${cut}`,
    bytes: encoded.slice(0, cut),
    mustRefuse: true,
  }))
}

/** Single-bit flips at seeded positions: a value or a coded error, never anything else. */
export function bitFlips(label: string, encoded: Uint8Array, count: number, seed: number): HostileCase[] {
  if (encoded.byteLength === 0) return []
  const random = prng(seed)
  return Array.from({ length: count }, () => {
    const at = Math.floor(random() * encoded.byteLength)
    const bit = Math.floor(random() * 8)
    const bytes = encoded.slice()
    bytes[at] = (bytes[at] as number) ^ (1 << bit)
    return { label: `${label} bit ${bit} of byte ${at} flipped`, bytes, mustRefuse: false }
  })
}

/**
 * Length fields claiming far more than the buffer holds: runs of 0xff (and 0x7f, for signed or
 * varint lengths) patched over each of the first bytes of a valid encoding.
 */
export function oversizedHeaders(label: string, encoded: Uint8Array, positions = 24): HostileCase[] {
  const cases: HostileCase[] = []
  for (let at = 0; at < Math.min(positions, encoded.byteLength); at++) {
    for (const fill of [0xff, 0x7f]) {
      const bytes = encoded.slice()
      for (let i = at; i < Math.min(at + 4, bytes.byteLength); i++) bytes[i] = fill
      cases.push({ label: `${label} 0x${fill.toString(16)} run at ${at}`, bytes, mustRefuse: false })
    }
  }
  return cases
}

/** Seeded random buffers of 1 to 64 bytes. */
export function randomBuffers(count: number, seed: number): HostileCase[] {
  return Array.from({ length: count }, (_, i) => ({
    label: `random buffer ${i} (seed ${seed + i})`,
    bytes: pseudoRandomBytes(1 + (i % 64), seed + i),
    mustRefuse: false,
  }))
}
