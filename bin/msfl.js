#!/usr/bin/env node
// The installed command runs the compiled CLI in dist/ (plain JavaScript, no tsx), so it
// starts quickly. From a source checkout `npm install` builds dist/ through `prepare`;
// `npm run msfl` runs the TypeScript sources directly.
import { existsSync } from 'node:fs'

const main = new URL('../dist/cli/main.js', import.meta.url)
if (existsSync(main)) {
  await import(main.href)
} else {
  process.stderr.write(
    'msfl: the compiled CLI (dist/cli/main.js) is missing. In a source checkout run ' +
      '`npm run build` (or `npm run msfl -- <command>` to run the TypeScript sources).\n',
  )
  process.exitCode = 1
}
