export interface HostileCase {
  label: string
  bytes: Uint8Array
  /**
   * What a decoded value must be. `refuse`: only a coded error is acceptable (nesting bombs, adapter
   * inputs that must be refused). `truncation`: a coded error, or — when the prefix happens to be a
   * complete encoding itself — a value that encodes back to exactly these bytes. `any`: a value or a
   * coded error.
   */
  expect: 'refuse' | 'truncation' | 'any'
  /**
   * Bytes that are malformed whatever the decoder is set up to read (a strict prefix of its own
   * encoding, random bytes): a refusal must be CAIRN_CORRUPT, the one code for malformed input.
   * Other cases (bit flips, random tails) may also form a well-formed encoding this decoder is set up
   * not to read (a class not registered, deeper than maxDepth), so CAIRN_UNSERIALIZABLE stays open there.
   */
  malformed?: true
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

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256)
  return bytes
}

/**
 * Strict prefixes of a valid encoding: every one up to `allBelow` bytes; for longer encodings
 * `spaced` evenly spaced cuts plus the last 8, where a decoder that forgets a final length check slips.
 */
export function truncations(label: string, encoded: Uint8Array, allBelow = 512, spaced = 64): HostileCase[] {
  const n = encoded.byteLength
  const cuts = new Set<number>()
  if (n <= allBelow) for (let cut = 0; cut < n; cut++) cuts.add(cut)
  else {
    for (let i = 0; i < spaced; i++) cuts.add(Math.floor((i * n) / spaced))
    for (let cut = Math.max(0, n - 8); cut < n; cut++) cuts.add(cut)
  }
  return [...cuts].map((cut) => ({
    label: `${label}, cut to ${cut} of ${n} bytes`,
    bytes: encoded.slice(0, cut),
    expect: 'truncation',
    malformed: true,
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
    return { label: `${label}, bit ${bit} of byte ${at} flipped (seed ${seed})`, bytes, expect: 'any' }
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
      cases.push({ label: `${label}, 0x${fill.toString(16)} run at byte ${at}`, bytes, expect: 'any' })
    }
  }
  return cases
}

/** Seeded random buffers of 1 to 64 bytes. */
export function randomBuffers(count: number, seed: number): HostileCase[] {
  return Array.from({ length: count }, (_, i) => {
    const random = prng(seed + i)
    return {
      label: `random buffer ${i} (seed ${seed + i})`,
      bytes: randomBytes(random, 1 + Math.floor(random() * 64)),
      expect: 'any',
      malformed: true,
    }
  })
}

/**
 * A valid start (1 to 16 bytes of one of `encodings`: magic numbers, headers, the first tags) and a
 * random tail: random input that gets past a format's first check.
 */
export function randomTails(count: number, seed: number, encodings: Uint8Array[]): HostileCase[] {
  const bases = encodings.filter((e) => e.byteLength > 1)
  if (bases.length === 0) return []
  return Array.from({ length: count }, (_, i) => {
    const random = prng(seed + 7919 * (i + 1))
    const base = bases[Math.floor(random() * bases.length)] as Uint8Array
    const keep = 1 + Math.floor(random() * Math.min(16, base.byteLength - 1))
    const tail = randomBytes(random, 1 + Math.floor(random() * 48))
    const bytes = new Uint8Array(keep + tail.byteLength)
    bytes.set(base.subarray(0, keep))
    bytes.set(tail, keep)
    return { label: `random tail ${i} after ${keep} valid bytes (seed ${seed})`, bytes, expect: 'any' }
  })
}
