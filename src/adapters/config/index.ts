/**
 * The config adapter's public surface: reading config files (YAML/JSON) for the CLI.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { readConfigFile } from './readConfigFile.ts'
