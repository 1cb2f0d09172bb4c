import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, it } from 'node:test'

/** README.md and every Markdown file under docs/: the pages a newcomer walks. */
function pages(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? walk(path) : path.endsWith('.md') ? [path] : []
    })
  return ['README.md', ...walk('docs')]
}

/** The text outside fenced code blocks and inline code spans, where links are links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[^`\n]*?\1/g, '')
}

/** Relative link targets: inline `[text](target)`, images, and reference definitions. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown)
  const inline = [
    ...text.matchAll(/!?\[(?:[^\]\n]|\][^(\n])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g),
  ]
  const definitions = [...text.matchAll(/^ {0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)]
  return [...inline, ...definitions]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
}

/** GitHub's heading anchors: lower case, punctuation and symbols dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  const withoutFences = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
  for (const [, heading] of withoutFences.matchAll(/^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const base = heading!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    out.add(count === 0 ? base : `${base}-${count}`)
  }
  return out
}

describe('documentation links', () => {
  it('finds the pages and their links', () => {
    const all = pages()
    assert.ok(all.includes('docs/README.md'), 'docs/README.md is the index')
    assert.ok(all.length >= 10, `${all.length} pages`)
    const links = all.flatMap((page) => linkTargets(readFileSync(page, 'utf8')))
    assert.ok(links.length >= 100, `${links.length} relative links`)
  })

  it('the link finder sees links, skips code and external addresses, and slugs like GitHub', () => {
    const sample = [
      'See [a](a.md), ![b](img/b.png) and [c](../c.md#part "title").',
      '`[not](code.md)` and [web](https://example.org) and [mail](mailto:x@y.z)',
      '```sh',
      '[inside](fence.md)',
      '```',
      '[ref]: ref.md',
    ].join('\n')
    assert.deepEqual(linkTargets(sample), ['a.md', 'img/b.png', '../c.md#part', 'ref.md'])
    assert.deepEqual(
      [...anchors('# One\n## Two: `x` (×3, y/z)\n## One\n```\n# not\n```')],
      ['one', 'two-x-3-yz', 'one-1'],
    )
  })

  for (const page of pages())
    it(`${page}: every relative link reaches an existing file and heading`, () => {
      const problems: string[] = []
      for (const target of linkTargets(readFileSync(page, 'utf8'))) {
        const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined]
        const path = pathPart === '' ? page : normalize(join(dirname(page), decodeURI(pathPart)))
        if (!existsSync(path)) {
          problems.push(`${target}: ${path} does not exist`)
          continue
        }
        if (anchor !== undefined && path.endsWith('.md')) {
          if (!anchors(readFileSync(path, 'utf8')).has(anchor))
            problems.push(`${target}: ${path} has no heading with anchor #${anchor}`)
        }
      }
      assert.deepEqual(problems, [])
    })
})
