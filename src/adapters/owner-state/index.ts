export type { OpenedPrivacyLedger } from './openPrivacyLedger.ts'
export { openPrivacyLedger } from './openPrivacyLedger.ts'
