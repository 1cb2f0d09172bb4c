/**
 * A participant's answer to a provider request that only has to be for this run
 * (`describe-data`, `ledger-address-request`): `answer()` when `message` parses with
 * `schema` and names `runId`, otherwise an error reply naming the request.
 */
export function answerRunRequest(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: { readonly type: string; readonly runId: string } }
      | { success: false }
  },
  message: unknown,
  ids: { readonly runId: string; readonly clientId: string },
  answer: () => unknown,
): unknown {
  const parsed = schema.safeParse(message)
  if (parsed.success && parsed.data.runId === ids.runId) return answer()
  const type = (message as { type?: unknown } | null)?.type
  return { type: 'error', clientId: ids.clientId, message: `${String(type)}: not this run` }
}
