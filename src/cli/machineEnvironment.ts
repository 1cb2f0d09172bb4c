import { cpus } from 'node:os'

/**
 * The machine a run or experiment ran on, as its report's Environment table shows it
 * (numbers without their machine mean little): Node version, platform and CPUs.
 */
export function machineEnvironment(): Record<string, string> {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  }
}
