import { readFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import pg from 'pg'

/** Rows a run's rounds left in one table of the store, and the bytes of their stored columns. */
export interface TableFootprint {
  readonly table: string
  readonly rows: number
  readonly bytes: number
}

// Per table: the rows that belong to rounds (not the run's setup: its participants, their
// `register` transitions, the initial model, the scaling) and the columns that hold data.
// `length(CAST(… AS BLOB))` is SQLite's byte length; PostgreSQL spells it octet_length.
const TABLES = [
  {
    table: 'transitions',
    columns: ['input_json', 'effects_json'],
    where: `input_json NOT LIKE '{"type":"register"%'`,
  },
  { table: 'rounds', columns: ['selected_json', 'received_json'], where: 'round >= 1' },
  { table: 'messages', columns: ['metadata_json', 'payload'], where: 'round >= 1' },
  { table: 'model_versions', columns: ['bytes'], where: 'version >= 1' },
  { table: 'events', columns: ['event_json'], where: 'round IS NOT NULL AND round >= 1' },
] as const

function footprintSql(dialect: 'sqlite' | 'postgres', t: (typeof TABLES)[number], param: string) {
  const size = (c: string) =>
    dialect === 'sqlite'
      ? `COALESCE(length(CAST(${c} AS BLOB)), 0)`
      : `COALESCE(octet_length(${c}), 0)`
  return `SELECT count(*) AS n, COALESCE(sum(${t.columns.map(size).join(' + ')}), 0) AS b FROM ${t.table} WHERE run_id = ${param} AND ${t.where}`
}

/** What a run's rounds stored in a SQLite file (read after the store is closed). */
export function sqliteFootprint(file: string, runId: string): TableFootprint[] {
  const db = new Database(file, { readonly: true })
  try {
    return TABLES.map((t) => {
      const row = db.prepare(footprintSql('sqlite', t, '?')).get(runId) as { n: number; b: number }
      return { table: t.table, rows: Number(row.n), bytes: Number(row.b) }
    })
  } finally {
    db.close()
  }
}

/** What a run's rounds stored in a PostgreSQL database. */
export async function postgresFootprint(url: string, runId: string): Promise<TableFootprint[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const out: TableFootprint[] = []
    for (const t of TABLES) {
      const { rows } = await client.query(footprintSql('postgres', t, '$1'), [runId])
      out.push({ table: t.table, rows: Number(rows[0].n), bytes: Number(rows[0].b) })
    }
    return out
  } finally {
    await client.end()
  }
}

/** Bytes this process has caused to be written to storage so far (Linux /proc/self/io). */
export function processWriteBytes(): number {
  const line = readFileSync('/proc/self/io', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('write_bytes:'))
  if (!line) throw new Error('/proc/self/io has no write_bytes line')
  return Number(line.slice('write_bytes:'.length))
}

/** WAL bytes the PostgreSQL cluster has generated so far (its WAL insert position). */
export async function postgresWalBytes(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    // The WAL insert position, not pg_stat_wal: backends report their statistics only when
    // idle (at most once a second), so a run that just ended may not be counted there yet.
    const { rows } = await client.query(
      "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS b",
    )
    return Number(rows[0].b)
  } finally {
    await client.end()
  }
}

/** A database made for one run, and how to drop it. */
export interface ScratchDatabase {
  readonly url: string
  drop(): Promise<void>
}

/**
 * Creates a fresh database in the cluster `url` points to (named after this process, so a
 * given MSFL_TEST_POSTGRES_URL server is never asked for a name it already has).
 */
export async function createScratchDatabase(url: string, label: string): Promise<ScratchDatabase> {
  const name = `msfl_bench_${process.pid}_${label}`
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`)
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  await admin(`CREATE DATABASE ${name}`)
  const out = new URL(url)
  out.pathname = `/${name}`
  return { url: out.toString(), drop: () => admin(`DROP DATABASE ${name}`) }
}
