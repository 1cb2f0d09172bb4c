import { randomBytes } from 'node:crypto'

/** `YYYYMMDD-HHMMSS-xxxxxx`: sortable by time, unique by six random hex digits. */
export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${randomBytes(3).toString('hex')}`
}
