/** The encrypted model as events and reports name it. */
export function describeMsflModel(heads: number): string {
  return heads === 1 ? 'logistic (encrypted)' : `one-vs-rest logistic ×${heads} (encrypted)`
}
