import { escapeHtml } from './svgCharts.ts'

/** What a report page holds besides the shared frame. */
export interface HtmlReportPage {
  /** Plain text; escaped here. */
  readonly title: string
  /** Page width in CSS pixels. */
  readonly maxWidth: number
  /** The CSS margin of tables, e.g. '1rem 0'. */
  readonly tableMargin: string
  /** Further CSS rules, each line ending in a newline. */
  readonly extraStyle?: string
  /** The HTML between <body> and the closing Environment table. */
  readonly body: string
  /** Where the report was made (Node, OS, …): every report ends with it. */
  readonly environment: Readonly<Record<string, string>>
}

/**
 * A standalone HTML report: the stylesheet the run and experiment reports share, the
 * page's own body, then the environment it was produced in.
 */
export function htmlReportPage(page: HtmlReportPage): string {
  const env = Object.entries(page.environment)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:${page.maxWidth}px;color:#222}
table{border-collapse:collapse;margin:${page.tableMargin}}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f5f5f5}.charts{display:flex;flex-wrap:wrap;gap:1rem}pre{background:#f7f7f7;padding:1rem;overflow:auto}
${page.extraStyle ?? ''}</style></head><body>
${page.body}
<h2>Environment</h2><table>${env}</table>
</body></html>
`
}
