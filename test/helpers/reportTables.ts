import assert from 'node:assert/strict'

/** The rows of the report table with this class, each as its cells' text (tags stripped). */
export function tableRows(html: string, cls: string): { attacker: boolean; cells: string[] }[] {
  const table = new RegExp(`<table class="${cls}">([\\s\\S]*?)</table>`).exec(html)
  assert.ok(table, `a ${cls} table`)
  return [...table[1]!.matchAll(/<tr([^>]*)>([\s\S]*?)<\/tr>/g)].map((m) => ({
    attacker: m[1]!.includes('attacker'),
    cells: [...m[2]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) =>
      c[1]!
        .replace(/<[^>]+>/g, '')
        .replace(/&#60;/g, '<')
        .replace(/&#62;/g, '>')
        .replace(/&lt;/g, '<')
        .trim(),
    ),
  }))
}
