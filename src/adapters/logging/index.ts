export { createProcessLog, type LogFields, type ProcessLog } from './createProcessLog.ts'
