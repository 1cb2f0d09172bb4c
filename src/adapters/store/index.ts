/**
 * The store adapter's public surface: the durable RunStore over SQLite (default) or PostgreSQL,
 * through Kysely with the same migrations on both.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { createStoreEventSink, type StoreEventSink } from './createStoreEventSink.ts'
export { openPostgresRunStore } from './openPostgresRunStore.ts'
export { openRunStore } from './openRunStore.ts'
export { openSqliteRunStore } from './openSqliteRunStore.ts'
