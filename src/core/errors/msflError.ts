/**
 * Every error msfl raises on purpose. `code` is stable for programs, `message` is
 * one line for people and names the field or file at fault.
 */
export type MsflErrorCode =
  | 'CONFIG_INVALID'
  | 'DATA_INTEGRITY'
  | 'DATA_MISSING'
  | 'DATA_FORMAT'
  | 'MODEL_INVALID'
  | 'CODEC'
  | 'PROTOCOL'
  | 'TRANSPORT'
  /** A participant did not answer within the deadline of a request. */
  | 'DEADLINE'
  /** A certificate, key, CRL, PKI directory or startup kit was refused. */
  | 'PKI'
  /** The run store refused an input, found its contents inconsistent or could not be reached. */
  | 'STORE'

/**
 * An error msfl raised on purpose: `code` says what kind (stable for programs), `message` names the
 * field or file at fault.
 */
export class MsflError extends Error {
  override readonly name = 'MsflError'
  readonly code: MsflErrorCode
  constructor(code: MsflErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
