import { CONTENT_REF } from './encode.js'

/** A short, human-readable preview of a value for logs and commits. Never throws, never long. */
export function previewValue(value: unknown, maxLength = 200): string {
  let text: string
  try {
    text = preview(value, 0, new Set())
  } catch {
    text = '<unpreviewable>'
  }
  return text.length <= maxLength ? text : `${text.slice(0, Math.max(0, maxLength - 1))}…`
}

const MAX_ITEMS = 8
const MAX_DEPTH = 4

function preview(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'undefined':
      return 'undefined'
    case 'boolean':
      return String(value)
    case 'symbol':
      return value.toString()
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`
  }
  if (value === null) return 'null'
  const obj = value as object
  const ref = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(obj) ?? {}, CONTENT_REF)
  if (ref) {
    const hash = (obj as Record<symbol, unknown>)[CONTENT_REF]
    return `ref(${String(hash).slice(0, 12)})`
  }
  if (seen.has(obj)) return '[Circular]'
  if (ArrayBuffer.isView(obj))
    return `${obj.constructor.name}(${(obj as { length?: number }).length ?? obj.byteLength})`
  if (obj instanceof ArrayBuffer) return `ArrayBuffer(${obj.byteLength})`
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Date(invalid)' : `Date(${obj.toISOString()})`
  if (obj instanceof RegExp) return String(obj)
  if (depth >= MAX_DEPTH) return Array.isArray(obj) ? `[…${obj.length}]` : '{…}'
  seen.add(obj)
  try {
    if (Array.isArray(obj)) {
      const items = obj.slice(0, MAX_ITEMS).map((v) => preview(v, depth + 1, seen))
      if (obj.length > MAX_ITEMS) items.push(`… ${obj.length - MAX_ITEMS} more`)
      return `[${items.join(', ')}]`
    }
    if (obj instanceof Map) {
      const items = [...obj]
        .slice(0, MAX_ITEMS)
        .map(([k, v]) => `${preview(k, depth + 1, seen)} => ${preview(v, depth + 1, seen)}`)
      return `Map(${obj.size}) {${items.join(', ')}${obj.size > MAX_ITEMS ? ', …' : ''}}`
    }
    if (obj instanceof Set) {
      const items = [...obj].slice(0, MAX_ITEMS).map((v) => preview(v, depth + 1, seen))
      return `Set(${obj.size}) {${items.join(', ')}${obj.size > MAX_ITEMS ? ', …' : ''}}`
    }
    const keys = Object.keys(obj)
    const items = keys.slice(0, MAX_ITEMS).map((k) => {
      const desc = Object.getOwnPropertyDescriptor(obj, k)
      const shown = desc && 'value' in desc ? preview(desc.value, depth + 1, seen) : '[Getter]'
      return `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${shown}`
    })
    if (keys.length > MAX_ITEMS) items.push(`… ${keys.length - MAX_ITEMS} more`)
    const proto = Object.getPrototypeOf(obj)
    const prefix =
      proto === Object.prototype || proto === null ? '' : `${proto?.constructor?.name ?? 'Object'} `
    return `${prefix}{${items.join(', ')}}`
  } finally {
    seen.delete(obj)
  }
}
