package dsn

// Budgets that bound what one message costs while it is read (issue 9).
// Each is enforced as the bytes come, not after: a reader stops at it.
const (
	// MaxDiagnosticBytes caps one recipient's Diagnostic, from a
	// Diagnostic-Code field or from the text. Longer ones are cut at a
	// UTF-8 boundary and marked in Recipient.DiagnosticTruncated.
	MaxDiagnosticBytes = 8 << 10
)
