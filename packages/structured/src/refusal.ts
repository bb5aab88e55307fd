import { CairnError, ErrorCode } from '@cairn/core'

/** One step from a container to a value inside it. */
export type PathStep = string | number | { mapKey: number } | { mapValue: number } | { note: string }

/**
 * Thrown inside the encoder when a value cannot be encoded exactly. Each container it passes through
 * on the way out adds its own step (the encoder catches, prepends, rethrows), so the success path pays
 * nothing for path tracking.
 */
export class Refusal {
  readonly steps: PathStep[] = []
  /** For a cycle: keep only this many steps (the path to where the value repeats). */
  keepSteps: number = Number.POSITIVE_INFINITY
  constructor(readonly reason: string) {}
}

const IDENTIFIER_RE = /^[A-Za-z_$][\w$]*$/

export function formatPath(steps: readonly PathStep[]): string {
  let path = '$'
  for (const step of steps) {
    if (typeof step === 'number') path += `[${step}]`
    else if (typeof step === 'string')
      path += IDENTIFIER_RE.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`
    else if ('mapKey' in step) path += `<key ${step.mapKey}>`
    else if ('mapValue' in step) path += `<value ${step.mapValue}>`
    else path += `<${step.note}>`
  }
  return path
}

/** Turns an internal refusal into the coded error callers see: the message starts with the path. */
export function toCairnError(refusal: Refusal): CairnError {
  const steps = refusal.steps.slice(0, refusal.keepSteps)
  let path = formatPath(steps)
  if (path.length > 300) path = `${path.slice(0, 140)}…${path.slice(-140)}`
  return new CairnError(ErrorCode.Unserializable, `${path}: ${refusal.reason}`, { details: { path } })
}

/** `Map`, `Point` ...: the name to show for a non-plain object. */
export function kindName(value: object): string {
  const proto = Object.getPrototypeOf(value) as object | null
  if (proto === null) return 'object with a null prototype'
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: unknown } | undefined
  if (typeof ctor?.name === 'string' && ctor.name !== '') return ctor.name
  return Object.prototype.toString.call(value).slice(8, -1)
}

export function corrupt(message: string, offset?: number): CairnError {
  return new CairnError(
    ErrorCode.Corrupt,
    offset === undefined ? message : `${message} (at byte ${offset})`,
    {
      details: offset === undefined ? undefined : { offset },
    },
  )
}

export function undecodable(message: string, offset?: number): CairnError {
  return new CairnError(
    ErrorCode.Unserializable,
    offset === undefined ? message : `${message} (at byte ${offset})`,
    { details: offset === undefined ? undefined : { offset } },
  )
}
