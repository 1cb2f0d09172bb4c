/**
 * Small, dependency-free SVG charts for self-contained HTML reports: a report must
 * open from disk years later with no network and no build step.
 */

export interface Series {
  readonly name: string
  readonly points: readonly (readonly [number, number])[]
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
]

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min]
  const raw = (max - min) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw
  const ticks: number[] = []
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)))
  return ticks
}

export interface LineChartOptions {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly yRange?: readonly [number, number]
  readonly width?: number
  readonly height?: number
  /** Draw the diagonal y = x (ROC charts). */
  readonly diagonal?: boolean
  /** Corner of the legend, on the right; `bottom` keeps it off rising curves. Default top. */
  readonly legend?: 'top' | 'bottom'
}

export function lineChart(series: readonly Series[], options: LineChartOptions): string {
  const width = options.width ?? 520
  const height = options.height ?? 320
  const m = { left: 56, right: 16, top: 30, bottom: 44 }
  const all = series.flatMap((s) => s.points)
  const finite = all.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  if (finite.length === 0) return `<p>${escapeHtml(options.title)}: no data</p>`
  let [yMin, yMax] = options.yRange ?? [
    Math.min(...finite.map((p) => p[1])),
    Math.max(...finite.map((p) => p[1])),
  ]
  if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5]
  let xMin = Math.min(...finite.map((p) => p[0]))
  let xMax = Math.max(...finite.map((p) => p[0]))
  if (xMax === xMin) [xMin, xMax] = [xMin - 0.5, xMax + 0.5]
  const sx = (x: number) => m.left + ((x - xMin) / (xMax - xMin)) * (width - m.left - m.right)
  const sy = (y: number) =>
    height - m.bottom - ((y - yMin) / (yMax - yMin)) * (height - m.top - m.bottom)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${escapeHtml(options.title)}</text>`,
  ]
  for (const t of niceTicks(yMin, yMax, 5)) {
    const y = sy(t).toFixed(1)
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
    )
    parts.push(
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${t}</text>`,
    )
  }
  for (const t of niceTicks(xMin, xMax, 6)) {
    const x = sx(t).toFixed(1)
    parts.push(
      `<text x="${x}" y="${height - m.bottom + 16}" text-anchor="middle" font-size="11">${t}</text>`,
    )
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${height - m.top - m.bottom}" fill="none" stroke="#999"/>`,
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="12">${escapeHtml(options.xLabel)}</text>`,
    `<text transform="translate(14 ${height / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeHtml(options.yLabel)}</text>`,
  )
  if (options.diagonal)
    parts.push(
      `<line x1="${sx(xMin)}" y1="${sy(yMin)}" x2="${sx(xMax)}" y2="${sy(yMax)}" stroke="#aaa" stroke-dasharray="4 4"/>`,
    )
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]
    const path = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join('')
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`)
    const y =
      options.legend === 'bottom'
        ? height - m.bottom - 8 - (series.length - 1 - i) * 15
        : m.top + 16 + i * 15
    parts.push(
      `<text x="${width - m.right - 6}" y="${y}" text-anchor="end" font-size="11" fill="${color}">${escapeHtml(s.name)}</text>`,
    )
  })
  parts.push('</svg>')
  return parts.join('')
}

/** Confusion matrix as a heat map: rows are true classes, columns predictions. */
export function confusionHeatmap(
  matrix: readonly (readonly number[])[],
  classNames: readonly string[],
  title: string,
): string {
  const k = matrix.length
  const cell = Math.max(22, Math.min(56, Math.floor(440 / Math.max(k, 1))))
  const left = 110
  const top = 56
  const width = left + cell * k + 16
  const height = top + cell * k + 30
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${escapeHtml(title)}</text>`,
    `<text x="${left + (cell * k) / 2}" y="38" text-anchor="middle" font-size="11">predicted</text>`,
    `<text transform="translate(14 ${top + (cell * k) / 2}) rotate(-90)" text-anchor="middle" font-size="11">true</text>`,
  ]
  for (let i = 0; i < k; i++) {
    const row = matrix[i] ?? []
    const total = row.reduce((a, b) => a + b, 0)
    const label = classNames[i] ?? String(i)
    parts.push(
      `<text x="${left - 6}" y="${top + i * cell + cell / 2}" text-anchor="end" dominant-baseline="middle" font-size="11">${escapeHtml(label)}</text>`,
    )
    parts.push(
      `<text x="${left + i * cell + cell / 2}" y="${top - 4}" text-anchor="middle" font-size="10">${escapeHtml(label.slice(0, 6))}</text>`,
    )
    for (let j = 0; j < k; j++) {
      const v = row[j] ?? 0
      const share = total > 0 ? v / total : 0
      const shade = Math.round(255 - share * 200)
      parts.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#fff"><title>true ${escapeHtml(label)}, predicted ${escapeHtml(classNames[j] ?? String(j))}: ${v}</title></rect>`,
      )
      if (cell >= 30)
        parts.push(
          `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2}" text-anchor="middle" dominant-baseline="middle" font-size="10" fill="${share > 0.6 ? '#fff' : '#000'}">${v}</text>`,
        )
    }
  }
  parts.push('</svg>')
  return parts.join('')
}
