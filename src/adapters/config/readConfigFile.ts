import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { MsflError } from '../../core/errors/msflError.ts'

/** Reads a JSON or YAML config file into a plain value; syntax errors name the file and position. */
export function readConfigFile(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new MsflError(
      'CONFIG_INVALID',
      `${path}: cannot read config file (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
  const extension = extname(path).toLowerCase()
  try {
    if (extension === '.json') return JSON.parse(text)
    if (extension === '.yaml' || extension === '.yml')
      return parseYaml(text, { prettyErrors: false })
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new MsflError(
      'CONFIG_INVALID',
      `${path}: not valid ${extension === '.json' ? 'JSON' : 'YAML'} (${detail})`,
    )
  }
  throw new MsflError('CONFIG_INVALID', `${path}: config files must end in .json, .yaml or .yml`)
}
