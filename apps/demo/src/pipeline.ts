/**
 * The demo's steps. Each is a plain, self-contained function (no outer variables), so its identity
 * is just its source: edit one and only it and the steps after it run again.
 */

export interface House {
  district: string
  rooms: number | null
  area: number | null
  age: number | null
  distance: number | null
  price: number | null
}

export function parseHousing(csv: string): House[] {
  const [header, ...lines] = csv.trim().split(/\r?\n/)
  const columns = (header ?? '').split(',')
  const num = (text: string | undefined): number | null => {
    const value = Number(text)
    return text === undefined || text.trim() === '' || Number.isNaN(value) ? null : value
  }
  return lines.map((line) => {
    const cells = line.split(',')
    const at = (name: string) => cells[columns.indexOf(name)]
    return {
      district: at('district') ?? '',
      rooms: num(at('rooms')),
      area: num(at('area_m2')),
      age: num(at('age_years')),
      distance: num(at('distance_km')),
      price: num(at('price_k')),
    }
  })
}

export function cleanHousing(houses: House[]): { kept: House[]; dropped: number } {
  const valid = (h: House) =>
    h.district !== '' &&
    h.rooms !== null &&
    h.area !== null &&
    h.area > 0 &&
    h.age !== null &&
    h.distance !== null &&
    h.distance >= 0 &&
    h.price !== null
  const kept = houses.filter(valid)
  return { kept, dropped: houses.length - kept.length }
}

export interface Features {
  names: string[]
  rows: number[][]
  target: number[]
  means: number[]
  scales: number[]
}

export function buildFeatures(cleaned: { kept: House[] }): Features {
  const districts = [...new Set(cleaned.kept.map((h) => h.district))].sort()
  const numeric = ['rooms', 'area', 'age', 'distance'] as const
  const raw = cleaned.kept.map((h) => [
    ...numeric.map((key) => h[key] as number),
    ...districts.slice(1).map((d) => (h.district === d ? 1 : 0)),
  ])
  const width = numeric.length + districts.length - 1
  const means = Array.from(
    { length: width },
    (_, j) => raw.reduce((s, r) => s + (r[j] as number), 0) / raw.length,
  )
  const scales = means.map((m, j) => {
    const variance = raw.reduce((s, r) => s + ((r[j] as number) - m) ** 2, 0) / raw.length
    return Math.sqrt(variance) || 1
  })
  return {
    names: [...numeric, ...districts.slice(1).map((d) => `district=${d}`)],
    rows: raw.map((r) => r.map((x, j) => (x - (means[j] as number)) / (scales[j] as number))),
    target: cleaned.kept.map((h) => h.price as number),
    means,
    scales,
  }
}

/** Ridge regression by the normal equations, solved with Gaussian elimination. */
export function fitRidge(features: Features, lambda: number): { weights: number[]; bias: number } {
  const n = features.rows.length
  const d = features.names.length
  const bias = features.target.reduce((s, y) => s + y, 0) / n
  const a = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d + 1 }, (_, j) => {
      if (j === d)
        return features.rows.reduce(
          (s, r, k) => s + (r[i] as number) * ((features.target[k] as number) - bias),
          0,
        )
      return (
        features.rows.reduce((s, r) => s + (r[i] as number) * (r[j] as number), 0) + (i === j ? lambda : 0)
      )
    }),
  )
  for (let col = 0; col < d; col++) {
    let pivot = col
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r
    ;[a[col], a[pivot]] = [a[pivot]!, a[col]!]
    for (let r = 0; r < d; r++) {
      if (r === col) continue
      const factor = a[r]![col]! / a[col]![col]!
      for (let c = col; c <= d; c++) a[r]![c]! -= factor * a[col]![c]!
    }
  }
  return { weights: a.map((row, i) => row[d]! / row[i]!), bias }
}

export function evaluate(
  model: { weights: number[]; bias: number },
  features: Features,
): { r2: number; rmse: number; strongest: { feature: string; weight: number }[] } {
  const predictions = features.rows.map((r) =>
    r.reduce((s, x, j) => s + x * (model.weights[j] as number), model.bias),
  )
  const mean = features.target.reduce((s, y) => s + y, 0) / features.target.length
  const residual = features.target.reduce((s, y, i) => s + (y - (predictions[i] as number)) ** 2, 0)
  const total = features.target.reduce((s, y) => s + (y - mean) ** 2, 0)
  const strongest = features.names
    .map((feature, j) => ({ feature, weight: Math.round((model.weights[j] as number) * 100) / 100 }))
    .sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight))
    .slice(0, 3)
  return {
    r2: Math.round((1 - residual / total) * 1e4) / 1e4,
    rmse: Math.round(Math.sqrt(residual / features.target.length) * 100) / 100,
    strongest,
  }
}
