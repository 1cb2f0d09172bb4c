import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'

/** Swaps the two labels of an owner's CSV file (the last column): a label-flipping owner. */
export function flipLabels(file: string): void {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n')
  const label = (line: string) => line.slice(line.lastIndexOf(',') + 1)
  const values = [...new Set(lines.map(label))]
  assert.equal(values.length, 2, `binary labels in ${file}`)
  const flipped = lines.map((line) => {
    const cut = line.lastIndexOf(',') + 1
    return line.slice(0, cut) + (label(line) === values[0] ? values[1] : values[0])
  })
  writeFileSync(file, `${[header, ...flipped].join('\n')}\n`)
}
