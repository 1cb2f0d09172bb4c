import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { it } from 'node:test'

/** Every folder under src/, as `core/adrm`, `runtime/rounds`, … */
function sourceFolders(dir = 'src', prefix = ''): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .flatMap((name) => {
      const path = prefix === '' ? name : `${prefix}/${name}`
      return [path, ...sourceFolders(join(dir, name), path)]
    })
}

/**
 * The folders named in the `src/` tree of docs/architecture.md's module map: a line
 * whose first word ends in `/` is a folder, its depth is its indentation (two spaces a
 * level); deeper lines without one continue a description.
 */
function documentedFolders(markdown: string): string[] {
  const section = markdown.slice(markdown.indexOf('## Module map'))
  const tree = /```\n(src\/\n[\s\S]*?)```/.exec(section)?.[1]
  assert.ok(tree, 'docs/architecture.md has a module map starting with src/')
  const stack: string[] = []
  const folders: string[] = []
  for (const line of tree.split('\n').slice(1)) {
    const match = /^( +)([\w.-]+)\/(\s|$)/.exec(line)
    if (!match) continue
    const depth = match[1]!.length / 2 - 1
    stack.length = depth
    stack.push(match[2]!)
    folders.push(stack.join('/'))
  }
  return folders
}

it('docs/architecture.md names every folder of src/, and only those', () => {
  const documented = documentedFolders(readFileSync('docs/architecture.md', 'utf8'))
  const actual = sourceFolders()
  assert.ok(actual.includes('core/smpc') && actual.includes('runtime/rounds'))
  assert.deepEqual(
    {
      missing: actual.filter((f) => !documented.includes(f)).sort(),
      stale: documented.filter((f) => !actual.includes(f)).sort(),
    },
    { missing: [], stale: [] },
  )
})
