import { describe, expect, it } from 'vitest'
import { CANONICAL_VERSION, CONTENT_REF, canonicalHash, encodeCanonical, hashArgs } from '../src/index.js'

/**
 * Golden vectors: the canonical hash of each value is frozen here. A change to any of them changes
 * every cache key users have, so it needs a major version (and a new CANONICAL_VERSION).
 * The same table is in the README's spec. Encodings longer than 40 bytes are pinned by hash only.
 */
const GOLDEN: [label: string, make: () => unknown, sha256: string, encodingHex: string][] = [
  ['undefined', () => undefined, '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '00'],
  ['null', () => null, '4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a', '01'],
  ['true', () => true, '084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5', '03'],
  ['false', () => false, 'dbc1b4c900ffe48d575b5da5c638040125f65db0fe3e24494b76ea986457d986', '02'],
  ['0', () => 0, '93e60f669b99ad3e3ee6284b139e57adfb419960f390858e46ea565bbf82d001', '040000000000000000'],
  ['-0', () => -0, '15c9b5d13d99e2afce728fca9de0850dd4cfe63a5318ac6cd9ff94b1dca87ff7', '048000000000000000'],
  ['1', () => 1, '3a9da511a221fd02b073474ea62aafe043a6cbd6d530d847ec5cc018036fc070', '043ff0000000000000'],
  [
    '-1.5',
    () => -1.5,
    '717e2c0841870eaa347ff079ed6613a288b79a0248ece63691357dfd2025d21e',
    '04bff8000000000000',
  ],
  [
    'NaN',
    () => NaN,
    'dad09c77208fb5a911e345040036cf9a0fe5ac0a40ae3db4c8b443bd57f85fc3',
    '047ff8000000000000',
  ],
  [
    'Infinity',
    () => Infinity,
    'e0f81115c51c8f8635aab300b1b7c545672012278ba2a3c648b56e5edd00164d',
    '047ff0000000000000',
  ],
  [
    '2 ** 53',
    () => 2 ** 53,
    '0bbdb238444a8864939d2a3d0002b07f9665f84f04201c21383c10167c4ef6c1',
    '044340000000000000',
  ],
  ['0n', () => 0n, '69c492e24afa52c556de5ea70e1b5d7da3f0bc7a5a7fd1d413444c1a42a7e9b3', '050000'],
  ['-255n', () => -255n, '2b98812cdc82782a1983877aa7140af2c94f8a7ad35e7dc806ca0ea68bd82330', '050101ff'],
  [
    '2n ** 64n',
    () => 2n ** 64n,
    'd131bef170b43abee36ce4424e8384db620f51ef603385004dbea3037213c80c',
    '050009010000000000000000',
  ],
  ["''", () => '', 'ceb827ad3d3884fd4d50ae6099d6d50c09a21e72ebd309708e8b69d93df19e55', '0600'],
  ["'abc'", () => 'abc', '67955af2a99490e1dd437a33fd3308981183f758be03ed9876d0a571c2bc82de', '0603616263'],
  [
    "'\u65e5\u672c\u8a9e\ud83d\ude80'",
    () => '日本語🚀',
    '4b4f3812e895d16eef2653b529b25431bbeacbf198676f491dc5bb5c44ba413c',
    '060de697a5e69cace8aa9ef09f9a80',
  ],
  ['[]', () => [], '0a6361b3a802f55cd5ae06101c88a1e216320fe11cc0cfe1d791eed08a1200fd', '0700'],
  [
    '[1, [2, 3]]',
    () => [1, [2, 3]],
    'd087b69d912ae714c14a7cef62be79d721abbaf851af9dc4eb1554bdb9b65bc8',
    '0702043ff00000000000000702044000000000000000044008000000000000',
  ],
  [
    '[1, , 3]',
    // biome-ignore lint/suspicious/noSparseArray: a hole is one of the vectors
    () => [1, , 3],
    '53614fe8038817abac67e9700f96da01ad7a98ca29951ca2ab797fc548122be1',
    '0703043ff000000000000008044008000000000000',
  ],
  [
    '[undefined]',
    () => [undefined],
    '5f03650ec3578a2e318a11cc2bc83d4af2529893529822eb90e678c64c523efd',
    '070100',
  ],
  ['{}', () => ({}), 'a2c4aed1cf757cd9a509734a267ffc7b1166b55f4c8f9c3e3550c56e743328fc', '0900'],
  [
    '{ b: 1, a: 2 }',
    () => ({ b: 1, a: 2 }),
    '89bcf88cb84265d93e44cbef4d1fd65232ec4254099cb1b238af307acef8eff0',
    '090201610440000000000000000162043ff0000000000000',
  ],
  [
    '{ a: undefined }',
    () => ({ a: undefined }),
    '1c152c57e7e7ea357c8c63574d1f6e1349625aa817f0ebf90a2411831ab564e9',
    '0901016100',
  ],
  [
    "new Map([['b', 1], ['a', 2]])",
    () =>
      new Map([
        ['b', 1],
        ['a', 2],
      ]),
    '4aac27a0f3e2b4ed2f527487f399b671a5636e9030f2d27d62d08a25fbd7206e',
    '0a02060161044000000000000000060162043ff0000000000000',
  ],
  [
    'new Set([3, 1, 2])',
    () => new Set([3, 1, 2]),
    '1a845a239d30092749b1a53249dfb781f2b5c251374590fffd2fc0ac6338196b',
    '0b03043ff0000000000000044000000000000000044008000000000000',
  ],
  [
    'new Date(0)',
    () => new Date(0),
    '0e8c1abc71d3b3945e307c1cac1883c4cdd245950f74e78c7ac4d97648cad97b',
    '0c0000000000000000',
  ],
  [
    '/ab+c/gi',
    () => /ab+c/gi,
    'ad8fb85462e76d12f5ac6c5ce80942766c893daad37088bb53933c491324891c',
    '0d0461622b63026769',
  ],
  [
    'new Uint8Array([1, 2, 3])',
    () => new Uint8Array([1, 2, 3]),
    'c7b5375c96fa69fffb36794f07d7b10b99f42cdaf917a2ff658b342ffa190c58',
    '0e0203010203',
  ],
  [
    'new Int8Array([1, 2, 3])',
    () => new Int8Array([1, 2, 3]),
    '99df2da9b73fa519ffdbd5dab6961f61b1d2574abdc48d83f2c64a05362d2003',
    '0e0103010203',
  ],
  [
    'new Float64Array([1.5, -2])',
    () => new Float64Array([1.5, -2]),
    '1e22defb82a0875cf727a2d8605dac783719cf811a9c1c03562e4ca81e5b7fcd',
    '0e0910000000000000f83f00000000000000c0',
  ],
  [
    'new Uint16Array([1, 256])',
    () => new Uint16Array([1, 256]),
    '852a20d07e9628a9e652500f1f908cece26143363b791ff9359c97c3ebe6afb1',
    '0e050401000001',
  ],
  [
    'new ArrayBuffer(2)',
    () => new ArrayBuffer(2),
    '15edd08c1e1be6e34d2fb89c9b2e8461e655f03c359bce80fcdf20a12c0cc907',
    '0f020000',
  ],
  [
    'new DataView(new ArrayBuffer(2))',
    () => new DataView(new ArrayBuffer(2)),
    '970f07d6fa0bd0810d37a4fe4f6d3fe4b10b02afae4ec613693dd5dd889e480d',
    '10020000',
  ],
  [
    "{ [CONTENT_REF]: 'ab'.repeat(32) }",
    () => ({ [CONTENT_REF]: 'ab'.repeat(32) }),
    '3ea7a42882fe99004877edba0ca6b8abb95530160e853f91dacef66f6d87cd94',
    '11abababababababababababababababababababababababababababababababab',
  ],
]

describe('canonical encoding golden vectors (v1)', () => {
  it('is version 1', () => {
    expect(CANONICAL_VERSION).toBe(1)
  })

  for (const [label, make, sha256, encodingHex] of GOLDEN) {
    it(`${label} → ${sha256.slice(0, 16)}…`, () => {
      expect(canonicalHash(make())).toBe(sha256)
      if (encodingHex) expect(Buffer.from(encodeCanonical(make())).toString('hex')).toBe(encodingHex)
    })
  }

  it('hashes an argument list as the array of its arguments', () => {
    expect(hashArgs([1, 'a'])).toBe(canonicalHash([1, 'a']))
    expect(hashArgs([])).toBe('0a6361b3a802f55cd5ae06101c88a1e216320fe11cc0cfe1d791eed08a1200fd')
  })
})
