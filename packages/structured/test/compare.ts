import { types } from 'node:util'

/**
 * The first difference between two object graphs, or undefined. Strict: Object.is for primitives,
 * prototypes, every own property (enumerable or not, with its enumerability), array holes, Map and Set
 * order, Date times, RegExp source/flags/lastIndex, buffer bytes, view kind/offset/length, boxed
 * values — and identity: each object of `expected` must correspond to exactly one object of `actual`,
 * so shared references and cycles must come back shared and cyclic, and views onto one buffer must
 * come back onto one buffer.
 */
export function graphDifference(actual: unknown, expected: unknown): string | undefined {
  return new GraphComparison().compare(actual, expected, '$')
}

class GraphComparison {
  private readonly forward = new Map<object, object>()
  private readonly backward = new Map<object, object>()

  compare(a: unknown, b: unknown, path: string): string | undefined {
    if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`
    if (typeof a !== 'object' || a === null || b === null) {
      return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`
    }
    const oa = a as object
    const ob = b as object
    const mapped = this.forward.get(oa)
    if (mapped !== undefined) return mapped === ob ? undefined : `${path}: identity not kept (shared/cycle)`
    if (this.backward.has(ob)) return `${path}: one object came back as two, or two as one`
    this.forward.set(oa, ob)
    this.backward.set(ob, oa)
    if (Object.getPrototypeOf(oa) !== Object.getPrototypeOf(ob)) return `${path}: prototypes differ`
    return this.internals(oa, ob, path) ?? this.ownProperties(oa, ob, path)
  }

  private internals(a: object, b: object, path: string): string | undefined {
    if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs not`
    if (types.isDate(a)) {
      if (!types.isDate(b) || !Object.is(a.getTime(), b.getTime())) return `${path}: dates differ`
    }
    if (types.isRegExp(a)) {
      const rb = b as RegExp
      if (!types.isRegExp(b) || a.source !== rb.source || a.flags !== rb.flags)
        return `${path}: regexps differ`
    }
    if (types.isMap(a)) {
      if (!types.isMap(b) || a.size !== b.size) return `${path}: map sizes differ`
      const ea = [...a]
      const eb = [...b]
      for (let i = 0; i < ea.length; i++) {
        const d =
          this.compare(ea[i]?.[0], eb[i]?.[0], `${path}<key ${i}>`) ??
          this.compare(ea[i]?.[1], eb[i]?.[1], `${path}<value ${i}>`)
        if (d) return d
      }
    }
    if (types.isSet(a)) {
      if (!types.isSet(b) || a.size !== b.size) return `${path}: set sizes differ`
      const ea = [...a]
      const eb = [...b]
      for (let i = 0; i < ea.length; i++) {
        const d = this.compare(ea[i], eb[i], `${path}<element ${i}>`)
        if (d) return d
      }
    }
    if (types.isArrayBuffer(a)) {
      if (!types.isArrayBuffer(b) || a.byteLength !== b.byteLength) return `${path}: buffer sizes differ`
      const x = new Uint8Array(a)
      const y = new Uint8Array(b)
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${path}: buffer bytes differ at ${i}`
    }
    if (ArrayBuffer.isView(a)) {
      const vb = b as ArrayBufferView
      if (Buffer.isBuffer(a)) {
        // A Buffer carries its own bytes (not the pool it may sit in).
        return Buffer.isBuffer(b) && Buffer.compare(a, b) === 0 ? undefined : `${path}: Buffer bytes differ`
      }
      if (!ArrayBuffer.isView(b) || a.byteOffset !== vb.byteOffset || a.byteLength !== vb.byteLength) {
        return `${path}: views differ in offset or length`
      }
      return this.compare(a.buffer, vb.buffer, `${path}.buffer`)
    }
    if (types.isBoxedPrimitive(a)) {
      if (!types.isBoxedPrimitive(b)) return `${path}: boxed vs not`
      const va = (a as { valueOf(): unknown }).valueOf()
      const vbx = (b as { valueOf(): unknown }).valueOf()
      if (!Object.is(va, vbx)) return `${path}: boxed values differ`
    }
    if (types.isNativeError(a) !== types.isNativeError(b)) return `${path}: error vs not`
    return undefined
  }

  private ownProperties(a: object, b: object, path: string): string | undefined {
    if (ArrayBuffer.isView(a)) return undefined // indices are the bytes, compared above
    if (types.isRegExp(a) && a.lastIndex !== (b as RegExp).lastIndex) return `${path}: lastIndex differs`
    const ka = Reflect.ownKeys(a)
    const kb = Reflect.ownKeys(b)
    if (ka.length !== kb.length) return `${path}: keys [${ka.map(String)}] vs [${kb.map(String)}]`
    for (const key of ka) {
      const da = Object.getOwnPropertyDescriptor(a, key) as PropertyDescriptor
      const db = Object.getOwnPropertyDescriptor(b, key)
      const at = `${path}.${String(key)}`
      if (db === undefined) return `${at}: missing`
      if (da.enumerable !== db.enumerable) return `${at}: enumerability differs`
      if (types.isRegExp(a) && key === 'lastIndex') continue
      // An accessor (V8's Error.stack since Node 21) is compared by what it reads.
      const d = this.compare(ownValue(a, key, da), ownValue(b, key, db), at)
      if (d) return d
    }
    return undefined
  }
}

function ownValue(owner: object, key: PropertyKey, d: PropertyDescriptor): unknown {
  return 'value' in d ? d.value : Reflect.get(owner, key)
}
