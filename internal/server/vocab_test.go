package server

import "github.com/bounced/bounced/internal/classify"

// vocabulary lists the classifier's reason names.
func vocabulary() []string {
	var out []string
	for _, r := range []classify.Reason{
		classify.AuthFailure, classify.BadReputation, classify.Blocked, classify.ContentError, classify.Delivered,
		classify.EmailTooLarge, classify.Expired, classify.FailedSTARTTLS, classify.Feedback, classify.Filtered,
		classify.HasMoved, classify.HostUnknown, classify.MailboxFull, classify.MailerError, classify.NetworkError,
		classify.NoRelaying, classify.NotAccept, classify.NotCompliantRFC, classify.OnHold, classify.PolicyViolation,
		classify.RateLimited, classify.Rejected, classify.RequirePTR, classify.SecurityError, classify.SpamDetected,
		classify.Suppressed, classify.Suspend, classify.SyntaxError, classify.SystemError, classify.SystemFull,
		classify.Undefined, classify.UserUnknown, classify.Vacation, classify.VirusDetected,
	} {
		out = append(out, string(r))
	}
	return out
}
