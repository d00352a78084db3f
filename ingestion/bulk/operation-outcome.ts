/** The diagnostics of an OperationOutcome body, short and single-line, for the job's ledger. */
export function outcomeDiagnostics(text: string): string | null {
  try {
    const body = JSON.parse(text) as { resourceType?: unknown; issue?: unknown };
    if (body.resourceType !== 'OperationOutcome' || !Array.isArray(body.issue)) return null;
    const parts = body.issue.map(
      (i: { severity?: string; code?: string; diagnostics?: string; details?: { text?: string } }) =>
        [i.severity, i.code, i.diagnostics ?? i.details?.text].filter(Boolean).join(' '),
    );
    return parts.join('; ').replace(/\s+/g, ' ').slice(0, 500);
  } catch {
    return null;
  }
}
