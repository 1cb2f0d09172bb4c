/**
 * The store's tables as Kysely sees them. Times are milliseconds since the Unix epoch (bigint
 * columns, read back as numbers); JSON columns hold text; bytes are BLOB (SQLite) or BYTEA
 * (PostgreSQL) and come back as Buffers.
 */
export interface StoreTables {
  runs: {
    run_id: string
    phase: string
    round: number
    rounds: number
    version: number
    state_json: string
    created_at: number
    updated_at: number
  }
  transitions: {
    run_id: string
    sequence: number
    from_phase: string
    to_phase: string
    round: number
    input_json: string
    effects_json: string
    at: number
  }
  rounds: {
    run_id: string
    round: number
    attempt: number
    phase: string
    selected_json: string
    received_json: string
    deadline_at: number | null
    updated_at: number
  }
  participants: {
    run_id: string
    name: string
    role: string
    certificate_serial: string
    registered_at: number
  }
  messages: {
    run_id: string
    round: number
    sender: string
    message_id: string
    kind: string
    received_at: number
    metadata_json: string
    payload: Uint8Array | null
    payload_sha256: string | null
  }
  model_versions: {
    run_id: string
    version: number
    round: number
    sha256: string
    bytes: Uint8Array
    created_at: number
  }
  events: {
    /** Generated: increasing across all runs, so a reader can follow the stream with `after`. */
    event_id: import('kysely').Generated<number>
    run_id: string
    type: string
    round: number | null
    at: number
    event_json: string
  }
}

/** Which SQL engine a store runs on: the migrations differ only in column types. */
export type StoreDialect = 'sqlite' | 'postgres'
