package explain

import "github.com/bounced/bounced/internal/classify"

// english is the reference catalog: every key the explanations use is here,
// and every other language holds the same keys. Template grammar: see
// template.go. Style: the marketer text speaks to a client in plain words;
// the end-user text is short and free of jargon; the admin text names the
// configuration and the commands, in the order to apply them.
var english = &lang{
	tag: "en",
	fallback: [numSlots]string{
		slotRcpt:     "the recipient",
		slotDomain:   "the recipient's domain",
		slotMTA:      "the remote server",
		slotReporter: "the reporting server",
		slotStatus:   "no status code",
		slotReply:    "no reply code",
		slotCode:     "no code",
		slotCommand:  "a command",
		slotDiag:     "no diagnostic text",
		slotFrom:     "the original sender",
		slotUntil:    "a later time",
	},
	whose: map[classify.Side]lines{
		classify.SideSender: {
			Marketer: "The sending side must act: the fix is in how the message is sent, not with the recipient.",
			EndUser:  "This needs a fix on your side, or by your email provider.",
			Admin:    "Sender side: the sending infrastructure (MTA, relay, DNS records or reputation) must change.",
		},
		classify.SideRecipient: {
			Marketer: "The recipient's side: their mailbox, domain or server is at fault; the sending is fine.",
			EndUser:  "The problem is with the recipient's address or mail server, not with you.",
			Admin:    "Recipient side: the receiving mailbox, domain or server is at fault; only its owner can fix it.",
		},
		classify.SideNetwork: {
			Marketer: "Neither side's setup: the network or DNS failed on the way, and a later attempt may work.",
			EndUser:  "Nobody's fault: a connection problem along the way.",
			Admin:    "Network: neither party's configuration; a failure in transit (timeouts, DNS, routing).",
		},
		classify.SideUnknown: {
			Marketer: "Not certain: the evidence does not show whose side must act.",
			EndUser:  "It is not clear yet which side has to fix this.",
			Admin:    "Unknown: the evidence cannot tell whether the sender's or the recipient's side is at fault.",
		},
	},
	entries: map[key]entry{
		{Reason: classify.AuthFailure}: {
			Marketer: texts{
				Headline: "Refused: the message failed sender authentication (SPF, DKIM or DMARC)",
				What: "The receiving server[[ {mta}]] refused the message to {rcpt} because it could not confirm " +
					"that the sending domain allows this sender[[ (reply {code})]]. Mailbox providers check " +
					"three records published in DNS: SPF (which servers may send for the domain), DKIM (a " +
					"signature on each message) and DMARC (what to do when those checks fail).[[ The server " +
					"said: “{diag}”]]",
				Whose: "The sending side: the sending domain's DNS records or signing must be fixed. The " +
					"recipient did nothing wrong.",
				Steps: []string{
					"Ask whoever manages the sending domain's DNS to check that its SPF record includes every " +
						"service that sends for it, this platform included.",
					"Make sure DKIM signing is switched on for the sending domain on the platform, and that " +
						"its public key is published in DNS.",
					"Publish or correct a DMARC record: start with p=none and reports, and tighten it once the " +
						"reports are clean.",
					"Resend to this recipient once the checks pass; the address itself is fine.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused because it could not be verified as coming from you",
				What: "The recipient's mail server checked whether your domain allows mail to be sent the way " +
					"yours was sent, and the check failed.",
				Whose: "Your side: your email provider or IT team has to fix this.",
				Steps: []string{
					"Forward this message to your IT team or email provider and ask them to check SPF, DKIM " +
						"and DMARC for your domain.",
					"Send again once they confirm the fix.",
				},
			},
			Admin: texts{
				Headline: "SPF/DKIM/DMARC failure at the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] rejected mail for {rcpt} because sender authentication " +
					"failed.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the envelope sender and From domains must authenticate and align.",
				Steps: []string{
					"Find which check failed: send a test to a mailbox you control at a large provider and " +
						"read its Authentication-Results header (spf=, dkim=, dmarc= and the domains they checked).",
					"SPF: `dig +short TXT <envelope sender domain>` must return exactly one v=spf1 record that " +
						"covers every sending IP (ip4:, ip6:, include: for each platform), needs at most 10 DNS " +
						"lookups and ends in ~all or -all.",
					"DKIM: sign with a 2048-bit key (1024 at least); `dig +short TXT " +
						"<selector>._domainkey.<domain>` must match the signing key; nothing may rewrite the body " +
						"or signed headers after signing.",
					"DMARC: publish `_dmarc.<domain>` TXT `v=DMARC1; p=none; rua=mailto:<reports address>` and " +
						"make the From domain align with the SPF (Return-Path) domain or the DKIM d= domain.",
					"Gmail and Yahoo bulk sender rules (over about 5,000 messages a day to them): SPF and DKIM " +
						"both pass, DMARC published and aligned, one-click List-Unsubscribe (RFC 8058), spam rate " +
						"under 0.3%.",
					"Resend once a test shows spf=pass, dkim=pass and dmarc=pass.",
				},
			},
		},
		{Reason: classify.AuthFailure, Side: classify.SideRecipient}: {
			Marketer: texts{
				Headline: "Refused after the recipient's forwarding broke authentication",
				What: "The address {rcpt} forwards its mail to another mailbox. The forwarding passed the " +
					"message on in a way that breaks its sender authentication, so the final mailbox provider " +
					"refused it[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side: their forwarding setup is at fault; your sending authentication is fine.",
				Steps: []string{
					"Nothing to change in your sending setup.",
					"If the contact matters, ask them for the address of their final mailbox, or ask them to " +
						"have their forwarding fixed.",
					"If it keeps bouncing, remove the address from your list.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused by the recipient's forwarding",
				What: "The recipient forwards mail to another mailbox, and the forwarded copy failed a security " +
					"check there.",
				Whose: "The recipient's side, not yours.",
				Steps: []string{
					"Ask the recipient for their direct address, or tell them their forwarding is losing mail.",
				},
			},
			Admin: texts{
				Headline: "Authentication broken by forwarding on the recipient side[[ ({code})]]",
				What: "Mail for {rcpt} was accepted and forwarded, then rejected at a later hop[[ ({mta})]]: " +
					"forwarding keeps the original envelope sender, so SPF fails there, and any change to the " +
					"message breaks DKIM; with a strict DMARC policy the final receiver refuses it.[[ " +
					"Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the forwarder must preserve authentication.",
				Steps: []string{
					"Confirm it in the bounce's Received headers: the message was accepted for {domain} and " +
						"rejected at a later hop.",
					"Forwarder: rewrite the envelope sender with SRS (for Postfix, postsrsd with " +
						"sender_canonical_maps and recipient_canonical_maps) so SPF passes at the next hop, and " +
						"leave the body and signed headers untouched so DKIM survives.",
					"Forwarder: add ARC seals (for example OpenARC) so receivers that trust ARC accept forwarded mail.",
					"Sender: sign every message with DKIM for the From domain; an aligned DKIM signature " +
						"survives plain forwarding even when SPF does not.",
				},
			},
		},
		{Reason: classify.AuthFailure, Side: classify.SideUnknown}: {
			Marketer: texts{
				Headline: "Refused for failed sender authentication: the cause is not yet clear",
				What: "The receiving server[[ {mta}]] refused the message to {rcpt} because sender " +
					"authentication (SPF, DKIM, DMARC) failed[[ (reply {code})]]. Either the sending domain's " +
					"records are incomplete, or the recipient forwards mail to another mailbox in a way that " +
					"breaks these checks.[[ The server said: “{diag}”]]",
				Whose: "Undecided: either the sending domain's settings or the recipient's forwarding.",
				Steps: []string{
					"Ask whoever manages the sending domain to send a test to a Gmail or Outlook.com mailbox " +
						"and check that SPF, DKIM and DMARC all pass.",
					"If they pass, the recipient's forwarding is at fault: tell the contact, or ask for their " +
						"direct address.",
					"If they fail, have the domain's records fixed, then resend.",
				},
			},
			EndUser: texts{
				Headline: "Your message failed a security check",
				What: "Either your domain's email settings are incomplete, or the recipient's forwarding broke " +
					"the check.",
				Whose: "It is not clear yet whose side must fix it.",
				Steps: []string{
					"Forward this message to your IT team or email provider.",
					"Ask the recipient whether they forward their mail to another address.",
				},
			},
			Admin: texts{
				Headline: "SPF/DKIM/DMARC failure[[ at {mta}]][[ ({code})]]: own records or recipient forwarding",
				What: "Mail for {rcpt} was refused on sender authentication, and the evidence does not show " +
					"whether your records fail or a forwarder on the recipient's side broke them.[[ " +
					"Diagnostic: “{diag}”]]",
				Whose: "Unknown: sender side if your records fail a direct test, recipient side (forwarding) if " +
					"they pass.",
				Steps: []string{
					"Send a test to a mailbox you control at a large provider and read Authentication-Results: " +
						"spf, dkim and dmarc must pass, with the From domain aligned.",
					"If it fails: fix the records (SPF covers every sending IP, DKIM key published and signing " +
						"on, a `_dmarc` record present).",
					"If it passes: look for a forwarding hop in the bounce's Received headers; the forwarder " +
						"needs SRS and ARC, and your aligned DKIM signature is what survives forwarding.",
				},
			},
		},
		{Reason: classify.BadReputation}: {
			Marketer: texts{
				Headline: "Refused because of the sender's reputation",
				What: "The receiving server[[ {mta}]] refused the message to {rcpt} because it currently " +
					"considers the sending IP address or domain untrustworthy[[ (reply {code})]]. Reputation " +
					"drops with spam complaints, mail to old or invalid addresses, and sudden jumps in " +
					"volume.[[ The server said: “{diag}”]]",
				Whose: "The sending side: the way mail is sent to this provider must change.",
				Steps: []string{
					"Stop sending to addresses that bounced or have not opened anything for months; send only " +
						"to people who asked for your mail.",
					"Make unsubscribing easy (a one-click link) to keep complaints low.",
					"Send less to this provider for a while, then increase step by step.",
					"Resend later: the address itself is not at fault.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused because your mail server is not trusted right now",
				What:     "The recipient's provider distrusts mail from your server or domain at the moment.",
				Whose:    "Your side: your email provider has to fix it.",
				Steps: []string{
					"Forward this message to your email provider or IT team.",
					"Try again later, or reach the recipient another way in the meantime.",
				},
			},
			Admin: texts{
				Headline: "Reputation block at the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] refused mail for {rcpt} on the reputation of the sending " +
					"IP or domain.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the sending IP's or domain's reputation must recover.",
				Steps: []string{
					"Look up the sending IP and domain in the providers' tools: Google Postmaster Tools (spam " +
						"rate, IP and domain reputation), Microsoft SNDS and JMRP, Yahoo Sender Hub.",
					"Check the IP and the domains in the message against public blocklists (Spamhaus, " +
						"Barracuda, SpamCop); fix the cause before asking for delisting.",
					"Remove hard bounces and long-inactive addresses, honour unsubscribes within two days, and " +
						"keep the spam complaint rate under 0.3% (Gmail and Yahoo bulk sender rules).",
					"Check that SPF, DKIM and DMARC pass and align, and that the sending IP has a PTR whose " +
						"name resolves back to it.",
					"Throttle the volume to this provider and warm up again gradually; keep transactional and " +
						"marketing mail on separate IPs or subdomains.",
				},
			},
		},
		{Reason: classify.Blocked}: {
			Marketer: texts{
				Headline: "Refused: the sending server is blocked by the recipient's server",
				What: "The receiving server[[ {mta}]] refused to take mail for {rcpt} from the server that sent " +
					"it[[ (reply {code})]]. This usually means the sending IP address is on a public " +
					"blocklist, or lacks a proper DNS name.[[ The server said: “{diag}”]]",
				Whose: "The sending side: the sending server must be fixed and delisted; the recipient's address " +
					"is fine.",
				Steps: []string{
					"Forward this bounce to whoever runs the sending server (the platform's support, or your " +
						"IT team) so they can check the blocklists.",
					"Do not remove the recipient from your list because of this bounce alone.",
					"Resend once the block is lifted.",
				},
			},
			EndUser: texts{
				Headline: "Your message was blocked by the recipient's mail server",
				What:     "The recipient's server refuses mail coming from your mail server right now.",
				Whose:    "Your side: your email provider or IT team has to fix it.",
				Steps: []string{
					"Forward this message to your email provider or IT team.",
					"Try again once they confirm the block is gone.",
				},
			},
			Admin: texts{
				Headline: "Connection-level block at the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] refused mail for {rcpt} because of the connecting IP or " +
					"its host name: a DNS blocklist (RBL) hit, a missing or mismatched PTR, or a local IP " +
					"block.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the sending IP must be cleaned up and delisted.",
				Steps: []string{
					"Find the list named in the diagnostic (zen.spamhaus.org, b.barracudacentral.org, " +
						"bl.spamcop.net, ...) and look the IP up: for 192.0.2.1, `dig +short " +
						"1.2.0.192.zen.spamhaus.org` through your own resolver (Spamhaus does not answer large " +
						"public resolvers), or the lists' lookup pages.",
					"Fix the cause first: a compromised account or web form sending spam, an open relay, a " +
						"hijacked script; check the queue (`postqueue -p`, `exim -bp`) and the logs for unusual " +
						"volume.",
					"Then request delisting: Spamhaus through check.spamhaus.org, Barracuda through its " +
						"removal request form, SpamCop listings expire by themselves once the spam stops.",
					"Make sure the sending IP has a PTR whose name resolves back to the same IP " +
						"(forward-confirmed reverse DNS), and that the HELO name is that fully qualified name.",
					"If the block is the receiver's own list, write to the postmaster of {domain} with the IP, " +
						"the time and this bounce.",
				},
			},
		},
		{Reason: classify.Blocked, Side: classify.SideRecipient}: {
			Marketer: texts{
				Headline: "Refused by the recipient's own block, not by a public blocklist",
				What: "The receiving server[[ {mta}]] refused mail to {rcpt} because of a block the recipient's " +
					"side set up itself, such as a blocked country, network or sender[[ (reply {code})]].[[ " +
					"The server said: “{diag}”]]",
				Whose: "The recipient's side: their own blocking rule refused the mail; the sending is fine.",
				Steps: []string{
					"No change to your sending is needed.",
					"If the contact wants your mail, ask them to have their IT team allow your sending address " +
						"or server.",
					"If it continues, remove the address from your list.",
				},
			},
			EndUser: texts{
				Headline: "The recipient's server blocks mail from your server",
				What:     "The recipient's organisation blocks mail coming from where yours came from.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Ask the recipient to have their IT team allow your address, or contact them another way.",
				},
			},
			Admin: texts{
				Headline: "Local block at the recipient's server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] refused mail for {rcpt} on a block list or rule of its own " +
					"(a country or network range, a private list), not on a public RBL.[[ Diagnostic: " +
					"“{diag}”]]",
				Whose: "Recipient side: its local policy blocks your IP or domain.",
				Steps: []string{
					"Confirm the sending IP is on no public list (Spamhaus, Barracuda, SpamCop), so the block " +
						"is theirs alone.",
					"Write to the postmaster of {domain} with the sending IP, the time and the diagnostic, and " +
						"ask for the block to be lifted.",
					"Until then, pause sending to {domain}.",
				},
			},
		},
		{Reason: classify.Blocked, Side: classify.SideUnknown}: {
			Marketer: texts{
				Headline: "Blocked: either the sending server is listed, or the recipient blocks it on their own",
				What: "The receiving server[[ {mta}]] refused mail to {rcpt} because of where it came from[[ " +
					"(reply {code})]]. The bounce does not say whether a public blocklist lists the sending " +
					"server or the recipient's side blocks it with a rule of its own.[[ The server said: " +
					"“{diag}”]]",
				Whose: "Undecided: the sending side if the server is on a public list, the recipient's side otherwise.",
				Steps: []string{
					"Ask the platform's support or your IT team to check the public blocklists for the sending server.",
					"If it is listed, they fix the cause and request removal; then resend.",
					"If it is not listed, the block is the recipient's: ask the contact to have it lifted.",
				},
			},
			EndUser: texts{
				Headline: "Your message was blocked",
				What:     "The recipient's server refused mail from your mail server.",
				Whose:    "It is not clear yet whose side must fix it.",
				Steps: []string{
					"Forward this message to your IT team or email provider.",
					"Or contact the recipient another way.",
				},
			},
			Admin: texts{
				Headline: "Block at the receiving server[[ {mta}]][[ ({code})]]: public listing or local rule",
				What: "The receiving server[[ {mta}]] refused mail for {rcpt} on the connecting IP, and the " +
					"evidence does not show whether a public RBL or a local rule is behind it.[[ Diagnostic: " +
					"“{diag}”]]",
				Whose: "Unknown: sender side if a public RBL lists the IP, recipient side if the block is local.",
				Steps: []string{
					"Look the sending IP up on the lists named in the diagnostic, or on Spamhaus ZEN, " +
						"Barracuda and SpamCop (query through your own resolver: Spamhaus does not answer large " +
						"public resolvers).",
					"Listed: find and fix the cause (compromised account, open relay, bad list), then request " +
						"delisting.",
					"Not listed: check PTR and HELO (forward-confirmed reverse DNS), then write to the " +
						"postmaster of {domain} about their local block.",
				},
			},
		},
		{Reason: classify.ContentError}: {
			Marketer: texts{
				Headline: "Refused: the message's format was rejected",
				What: "The receiving server[[ {mta}]] refused the message to {rcpt} because part of it was " +
					"malformed: a header, the character set or the encoding of the content[[ (reply " +
					"{code})]].[[ The server said: “{diag}”]]",
				Whose: "The sending side: the message must be built correctly; the recipient is fine.",
				Steps: []string{
					"Send a test of the same message to yourself and check that it displays correctly.",
					"If the HTML was edited by hand or pasted from another tool, rebuild it in the platform's editor.",
					"Pass this bounce to the platform's support with the campaign name: the fault is in how " +
						"the message was put together.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused because its format was broken",
				What:     "The recipient's server could not accept the way your message was put together.",
				Whose:    "Your side, or your email program's.",
				Steps: []string{
					"Send it again without unusual attachments or formatting.",
					"If it fails again, forward this message to your IT team.",
				},
			},
			Admin: texts{
				Headline: "Malformed content rejected by the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] refused the message for {rcpt} over its MIME structure, " +
					"header syntax or encoding.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: whatever generates the message must produce valid MIME.",
				Steps: []string{
					"Take the message exactly as sent (from the queue or the platform's archive) and check it: " +
						"one Content-Type per part, boundaries that match, a declared charset, and a " +
						"Content-Transfer-Encoding that fits the content (8bit only if the server offers 8BITMIME).",
					"Check that no line exceeds 998 characters and that non-ASCII header text is encoded (RFC " +
						"2047) unless the receiver offers SMTPUTF8.",
					"Fix the template or the library that builds the message, then resend.",
				},
			},
		},
		{Reason: classify.Delivered}: {
			Marketer: texts{
				Headline: "Delivered: this is a success report",
				What: "The report confirms that the message to {rcpt} was delivered[[ by {mta}]], or passed on " +
					"to a server that does not send reports. Nothing bounced.",
				Whose: "No one needs to act.",
				Steps: []string{
					"No action needed; keep the address on your list.",
				},
			},
			EndUser: texts{
				Headline: "Your message was delivered",
				What:     "This is a delivery confirmation, not an error.",
				Whose:    "Nothing to do for anyone.",
				Steps: []string{
					"No action needed.",
				},
			},
			Admin: texts{
				Headline: "Delivery status notification: success for {rcpt}",
				What: "The DSN reports a successful action (delivered, relayed or expanded)[[ at {mta}]][[ with " +
					"status {status}]]. It was requested with NOTIFY=SUCCESS, or sent as a relayed notice by a " +
					"hop that does not support DSN.",
				Whose: "No side: nothing failed.",
				Steps: []string{
					"No action needed.",
					"If you do not want these reports, stop requesting NOTIFY=SUCCESS (or delivery receipts) " +
						"when sending.",
				},
			},
		},
		{Reason: classify.EmailTooLarge}: {
			Marketer: texts{
				Headline: "Refused: the message is too large for the recipient's server",
				What: "The receiving server[[ {mta}]] refused the message to {rcpt} because it is larger than " +
					"that server accepts[[ (reply {code})]]. Attachments and embedded images count, and " +
					"sending them makes them about a third bigger.[[ The server said: “{diag}”]]",
				Whose: "The sending side: the message must be made smaller.",
				Steps: []string{
					"Link to large files instead of attaching them.",
					"Compress or resize the images, and keep the whole message well under 10 MB.",
					"Resend the smaller version; the address is fine.",
				},
			},
			EndUser: texts{
				Headline: "Your message was too large to be delivered",
				What:     "The recipient's server does not accept messages this big.",
				Whose:    "Your side: the message must be smaller.",
				Steps: []string{
					"Share large files as a download link instead of an attachment.",
					"Send the smaller message again.",
				},
			},
			Admin: texts{
				Headline: "Message size limit exceeded at the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] refused the message for {rcpt} for its size, on the SIZE " +
					"given with MAIL FROM or after DATA.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the message must fit the receiver's limit.",
				Steps: []string{
					"Read the limit the receiver advertises: its EHLO reply carries `250-SIZE <bytes>`[[ (for " +
						"example `swaks --to {rcpt} --quit-after EHLO`)]].",
					"Compare it with the encoded size: base64 adds about 37% to attachments.",
					"Reduce the message (links instead of attachments) and resend; if the receiver's limit is " +
						"far below common practice (10 to 25 MB), tell the postmaster of {domain}.",
				},
			},
		},
		{Reason: classify.Expired}: {
			Marketer: texts{
				Headline: "Not delivered: the sending server gave up after retrying",
				What: "The sending server tried for some time to deliver the message to {rcpt} but could not " +
					"reach the recipient's server or get an answer from it, and stopped trying.[[ Last error: " +
					"“{diag}”]]",
				Whose: "Neither side's setup as far as the bounce shows: the recipient's server stayed " +
					"unreachable for a long time.",
				Steps: []string{
					"Resend later: outages of this kind are usually temporary.",
					"If the same domain keeps failing for days, it may no longer receive mail: check with the contact.",
				},
			},
			EndUser: texts{
				Headline: "Your message could not be delivered in time",
				What:     "The recipient's mail server could not be reached for a long time, so delivery was given up.",
				Whose:    "Nobody's settings: the recipient's server was unreachable.",
				Steps: []string{
					"Try sending again later.",
					"If it fails again, contact the recipient another way.",
				},
			},
			Admin: texts{
				Headline: "Queue lifetime expired for {rcpt}",
				What: "Delivery to {rcpt} was retried until the queue lifetime ran out[[; last host tried: " +
					"{mta}]].[[ Last error: “{diag}”]]",
				Whose: "Network: the remote side was unreachable or kept deferring; nothing in your configuration " +
					"is known to be wrong.",
				Steps: []string{
					"Check the MX hosts[[ (`dig +short MX {domain}`)]] and try each on port 25 from the " +
						"sending host (`nc -vz <mx> 25`).",
					"Make sure outbound port 25 is open: many cloud and residential networks block it.",
					"Read the deferral reasons in the mail log (Postfix: `grep <queue id> /var/log/mail.log`): " +
						"repeated 4xx replies mean greylisting or rate limits, timeouts mean the host or the route " +
						"is down.",
					"If the domain has been unreachable for days from many senders, suppress the address; " +
						"otherwise resend.",
				},
			},
		},
		{Reason: classify.FailedSTARTTLS}: {
			Marketer: texts{
				Headline: "Not delivered: the secure connection could not be set up",
				What: "The sending server and the server for {rcpt} could not agree on an encrypted (TLS) " +
					"connection, and one of them requires it[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "Usually neither side's everyday settings: a certificate or encryption setting on one of " +
					"the two servers.",
				Steps: []string{
					"Resend later: such problems are often fixed quickly.",
					"If it persists, pass the bounce to the platform's support so they can check TLS with that domain.",
				},
			},
			EndUser: texts{
				Headline: "Your message failed a security check on the connection",
				What:     "The two mail servers could not set up an encrypted connection.",
				Whose:    "Not your fault: a server setting on one side.",
				Steps: []string{
					"Try again later.",
					"If it fails again, forward this message to your IT team.",
				},
			},
			Admin: texts{
				Headline: "STARTTLS failure with the receiving server[[ {mta}]][[ ({code})]]",
				What: "TLS negotiation for {rcpt}[[ with {mta}]] failed, and TLS was required by the sender's " +
					"policy (MTA-STS, DANE, Postfix smtp_tls_security_level = encrypt or verify) or by the " +
					"receiver.[[ Diagnostic: “{diag}”]]",
				Whose: "Network or configuration: a TLS mismatch between the two servers.",
				Steps: []string{
					"Test the handshake: `openssl s_client -starttls smtp -connect <mx>:25 -servername <mx>`, " +
						"and look at the certificate chain, expiry date, host name and protocol versions.",
					"If the receiving domain publishes MTA-STS (`_mta-sts.<domain>` TXT and its policy file) " +
						"or DANE TLSA records, check that its certificate still matches them; a stale policy after " +
						"a certificate change is a common cause.",
					"On your side, enable TLS 1.2 or later with current ciphers, and keep the CA bundle up to " +
						"date (Postfix: smtp_tls_CAfile or smtp_tls_CApath).",
					"If the fault is theirs, send the openssl output to the postmaster of {domain}.",
				},
			},
		},
		{Reason: classify.Feedback}: {
			Marketer: texts{
				Headline: "Complaint: the recipient marked the message as spam",
				What: "This is not a bounce: {rcpt}, or their provider's filter, reported the message as " +
					"unwanted, and the mailbox provider passed the complaint back through its feedback loop.",
				Whose: "The sending side should act: this person no longer wants this mail.",
				Steps: []string{
					"Unsubscribe the address at once and do not send to it again.",
					"Check that this person really signed up, and that unsubscribing from your messages is easy.",
					"If complaints grow, review how the list was collected and how often you send.",
				},
			},
			EndUser: texts{
				Headline: "The recipient reported your message as spam",
				What:     "This is a complaint, not a delivery error.",
				Whose:    "Your side: stop sending to this person.",
				Steps: []string{
					"Do not send this person further messages of this kind.",
				},
			},
			Admin: texts{
				Headline: "ARF feedback report (complaint) for {rcpt}",
				What: "An RFC 5965 feedback report: the recipient's provider forwards a complaint, usually from " +
					"the 'report spam' button, through its feedback loop[[; report from {reporter}]].",
				Whose: "Sender side: the complaint must be honoured.",
				Steps: []string{
					"Suppress the complaining address at once; Gmail and Yahoo bulk sender rules expect a " +
						"complaint rate under 0.3%, ideally under 0.1%.",
					"Send List-Unsubscribe with one-click (RFC 8058) so people unsubscribe instead of complaining.",
					"Register for the feedback loops you lack (Yahoo CFL, Microsoft JMRP) and watch the spam " +
						"rate in Google Postmaster Tools.",
					"Review the list source and the sending frequency of the campaign that drew the complaint.",
				},
			},
		},
		{Reason: classify.Filtered}: {
			Marketer: texts{
				Headline: "Refused by the recipient's filter",
				What: "The receiving server[[ {mta}]] knows the address {rcpt}, but a filter on the recipient's " +
					"side refused the message[[ (reply {code})]]. Such filters are set by the recipient or " +
					"their organisation (rules on senders, subjects or attachments).[[ The server said: " +
					"“{diag}”]]",
				Whose: "The recipient's side: their filter rules decided this.",
				Steps: []string{
					"Check that the message does not look like spam (misleading subject, mostly images, " +
						"shortened links).",
					"If the contact wants your mail, ask them to add your sending address to their safe senders.",
					"Do not resend the same message again and again.",
				},
			},
			EndUser: texts{
				Headline: "Your message was stopped by the recipient's filter",
				What:     "A filter on the recipient's side refused your message.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Ask the recipient to allow your address, or contact them another way.",
				},
			},
			Admin: texts{
				Headline: "Rejected after DATA by the recipient's filter[[ ({code})]]",
				What: "The receiving server[[ {mta}]] accepted the recipient {rcpt} but refused the message " +
					"after DATA, on a header or content rule of the recipient's side.[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: a filter there refused the content; it is their policy.",
				Steps: []string{
					"Read the diagnostic for the rule that fired (header check, attachment type, personal filter).",
					"Check the message for common triggers: executable or macro attachments, URL shorteners, " +
						"link text that does not match its target, no text/plain part.",
					"If the mail is wanted, ask the recipient or the postmaster of {domain} to allow the " +
						"sender, quoting the time and the Message-ID.",
				},
			},
		},
		{Reason: classify.HasMoved}: {
			Marketer: texts{
				Headline: "The recipient has moved to another address",
				What: "The server for {rcpt} says the person is no longer at this address and mail is not " +
					"forwarded[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side: the address is no longer in use.",
				Steps: []string{
					"Remove this address from your list.",
					"If the bounce names a new address, do not simply swap it in: ask the person to subscribe " +
						"again with it.",
				},
			},
			EndUser: texts{
				Headline: "The recipient has a new address",
				What:     "This address is no longer used.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Look in this message for a new address, or ask the person for it, then send again.",
				},
			},
			Admin: texts{
				Headline: "Mailbox moved: {rcpt}[[ ({code})]]",
				What: "The receiving server[[ {mta}]] reports that {rcpt} has moved (typically 551 User not " +
					"local, or 5.1.6) and will not forward.[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the mailbox is gone from this address.",
				Steps: []string{
					"Treat it as a hard bounce and suppress the address.",
					"If the reply gives a new address, update the contact only with the person's consent.",
				},
			},
		},
		{Reason: classify.HostUnknown}: {
			Marketer: texts{
				Headline: "Undeliverable: the recipient's domain does not receive mail",
				What: "The domain {domain} does not exist or is not set up to receive email, so the message to " +
					"{rcpt} could not be delivered[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side: the domain is missing or not set up for mail, often because of a " +
					"typo in the address.",
				Steps: []string{
					"Check the domain for a typo (gmial.com for gmail.com, for example) and correct it if the " +
						"person confirms.",
					"Otherwise remove the address from your list: the domain cannot receive mail.",
				},
			},
			EndUser: texts{
				Headline: "The address's domain does not exist",
				What:     "The part after the @ in {rcpt} does not lead to any mail server.",
				Whose:    "The address is wrong or no longer works.",
				Steps: []string{
					"Check the address for a typo and send again.",
					"If it is correct, ask the person for another address.",
				},
			},
			Admin: texts{
				Headline: "Host or domain not found: {domain}[[ ({code})]]",
				What: "No mail server could be found for {domain}: NXDOMAIN, no MX and no address record, or a " +
					"null MX (RFC 7505).[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the domain's DNS does not route mail.",
				Steps: []string{
					"Check the DNS from outside[[ (`dig MX {domain}`, `dig A {domain}`)]]: NXDOMAIN means the " +
						"domain does not exist, `0 .` as the only MX means it refuses all mail on purpose.",
					"Look for a typo in the domain of the address; correct it only with the person's consent.",
					"If you run this domain: publish MX records that name hosts (not IP addresses, not CNAMEs) " +
						"with A or AAAA records, and check that the registration has not lapsed.",
					"Otherwise suppress the address: retrying will not help.",
				},
			},
		},
		{Reason: classify.HostUnknown, Side: classify.SideNetwork}: {
			Marketer: texts{
				Headline: "Not delivered yet: the recipient's domain could not be looked up",
				What: "Looking up where to deliver mail for {domain} failed for the moment, so the message to " +
					"{rcpt} was not delivered[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "Neither side's settings, as far as the bounce shows: a DNS failure on the way, usually " +
					"temporary.",
				Steps: []string{
					"Resend later.",
					"If the domain still fails after a day or two, check with the contact that their domain works.",
				},
			},
			EndUser: texts{
				Headline: "Your message could not reach this domain for now",
				What:     "The recipient's domain could not be found at the moment, probably a temporary problem.",
				Whose:    "Nobody's fault so far.",
				Steps: []string{
					"Try again later.",
				},
			},
			Admin: texts{
				Headline: "Temporary DNS failure for {domain}",
				What: "Resolving the MX of {domain} failed with a temporary error (SERVFAIL or a timeout), not a " +
					"definite answer.[[ Diagnostic: “{diag}”]]",
				Whose: "Network: DNS failed in transit; neither configuration is known to be wrong yet.",
				Steps: []string{
					"Query from the sending host and through another resolver[[ (`dig MX {domain}`)]], and " +
						"compare the answers.",
					"SERVFAIL everywhere points to broken DNSSEC or dead name servers for the domain: `dig " +
						"+trace` or `delv` shows where the chain breaks.",
					"SERVFAIL only on your host points to your resolver (systemd-resolved, unbound, the " +
						"provider's): check it and its upstream.",
					"Let the queue retry; do not suppress the address on this bounce alone.",
				},
			},
		},
		{Reason: classify.MailboxFull}: {
			Marketer: texts{
				Headline: "Not delivered: the recipient's mailbox is full",
				What: "The mailbox of {rcpt} has reached its storage limit, so its server refused new mail[[ " +
					"(reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side: they must make room; your sending is fine.",
				Steps: []string{
					"Nothing to change on your side; resend later, as the person may clear their mailbox.",
					"If the mailbox stays full over several weeks of sending, it is probably abandoned: remove " +
						"the address.",
				},
			},
			EndUser: texts{
				Headline: "The recipient's mailbox is full",
				What:     "The recipient has no space left for new messages.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Try again in a few days, or reach the person another way so they can free up space.",
				},
			},
			Admin: texts{
				Headline: "Mailbox over quota: {rcpt}[[ ({code})]]",
				What: "The receiving server[[ {mta}]] refused delivery to {rcpt} because the mailbox is over its " +
					"quota (typically 452 or 552 with 4.2.2 or 5.2.2).[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the mailbox owner or their administrator must free space or raise the quota.",
				Steps: []string{
					"Treat it as soft: let the queue retry, and resend later.",
					"Suppress the address if it stays full over a few weeks of sends: a mailbox that never " +
						"empties is usually abandoned.",
					"If you run {domain}: check the quota (Dovecot: `doveadm quota get -u <user>`) and reject " +
						"over-quota mail at RCPT time rather than bouncing it after acceptance.",
				},
			},
		},
		{Reason: classify.MailboxFull, Side: classify.SideSender}: {
			Marketer: texts{
				Headline: "Not sent: the sender's own mailbox is full",
				What: "The sending account's own mailbox is over its storage limit, so its mail server refuses " +
					"to send from it[[ (reply {code})]]. The recipient {rcpt} has nothing to do with it.[[ The " +
					"server said: “{diag}”]]",
				Whose: "The sending side: the sender's mailbox must be cleaned up.",
				Steps: []string{
					"Delete or archive old mail in the sending mailbox (Sent Items and Deleted Items " +
						"included), or have its quota raised.",
					"Resend; the recipient's address is fine.",
				},
			},
			EndUser: texts{
				Headline: "Your message was not sent because your mailbox is full",
				What:     "Your own mailbox has no space left, so your mail server will not send.",
				Whose:    "Your side.",
				Steps: []string{
					"Empty your Deleted Items and delete or archive large old messages.",
					"Send the message again.",
				},
			},
			Admin: texts{
				Headline: "Sender mailbox over its send quota[[ ({code})]]",
				What: "The sending mailbox is over its send quota (Exchange: ProhibitSendQuota, " +
					"QuotaExceededException), so the submission server[[ {reporter}]] refused to send to " +
					"{rcpt}.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the sending mailbox's quota.",
				Steps: []string{
					"Check the mailbox size and limits (Exchange: `Get-MailboxStatistics <user>` and " +
						"`Get-Mailbox <user> | Format-List *Quota`).",
					"Free space or raise ProhibitSendQuota, then resend.",
				},
			},
		},
		{Reason: classify.MailerError}: {
			Marketer: texts{
				Headline: "Not delivered: a program on the recipient's server failed",
				What: "The recipient's server took the message for {rcpt}, but the program that puts mail into " +
					"the mailbox failed[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side: their server has a technical fault.",
				Steps: []string{
					"Resend later.",
					"If it keeps failing, let the contact know their mail system has a problem.",
				},
			},
			EndUser: texts{
				Headline: "Your message hit a technical fault on the recipient's side",
				What:     "The recipient's mail system failed to put it into the mailbox.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Try again later, or reach the person another way.",
				},
			},
			Admin: texts{
				Headline: "Local delivery failed for {rcpt}[[ ({code})]]",
				What: "The final server[[ {mta}]] ran a delivery program (procmail, maildrop, a pipe, an LDA or " +
					"LMTP) that exited with an error.[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the delivery program on their server must be fixed.",
				Steps: []string{
					"Read the exit status in the diagnostic: 75 (EX_TEMPFAIL) is transient, 67 (EX_NOUSER) " +
						"means no such user, 73 (EX_CANTCREAT) points to permissions or quota.",
					"If you run {domain}: run the delivery command by hand as the user with the saved message, " +
						"and check the program's log and the mailbox permissions.",
					"Otherwise resend later, and tell the postmaster of {domain} if it persists.",
				},
			},
		},
		{Reason: classify.NetworkError}: {
			Marketer: texts{
				Headline: "Not delivered yet: a network problem on the way",
				What: "The sending server could not reach the server for {rcpt}, or lost the connection[[ (reply " +
					"{code})]].[[ The error was: “{diag}”]]",
				Whose: "Neither side's settings: the network or DNS failed on the way.",
				Steps: []string{
					"Resend later; these errors usually clear up.",
					"If the same domain fails for several days, check with the contact.",
				},
			},
			EndUser: texts{
				Headline: "Your message was held up by a network problem",
				What:     "The connection to the recipient's server failed.",
				Whose:    "Nobody's fault.",
				Steps: []string{
					"Try again later.",
				},
			},
			Admin: texts{
				Headline: "Network or DNS error towards {domain}",
				What: "Delivery to {rcpt} failed in transit: connection refused or timed out, connection lost, " +
					"or a DNS failure[[ (last host: {mta})]].[[ Diagnostic: “{diag}”]]",
				Whose: "Network: no configuration fault on either side so far.",
				Steps: []string{
					"Test from the sending host: resolve the MX[[ (`dig +short MX {domain}`)]], then `nc -vz <mx> 25`.",
					"Check that your provider does not block outbound port 25 (common on cloud and home " +
						"networks) and that your firewall allows it.",
					"Check IPv6: if the MX has AAAA records and your IPv6 route is broken, prefer IPv4 " +
						"(Postfix: smtp_address_preference = ipv4).",
					"Let the queue retry; suppress only if it keeps failing for days.",
				},
			},
		},
		{Reason: classify.NoRelaying}: { // undecided side: both hypotheses, DESIGN.md "Relaying denied"
			Marketer: texts{
				Headline: "Refused with “relaying denied”: the cause is not yet clear",
				What: "A mail server[[ ({mta})]] refused the message for {rcpt} because it does not consider " +
					"itself allowed to pass it on (to relay it)[[ (reply {code})]]. This answer has two " +
					"opposite causes, and this bounce does not show which one applies: either the sending " +
					"system did not log in to the mail server it sends through, or the mail server of {domain} " +
					"does not recognise the domain as its own, which happens when a domain's mail setup is " +
					"broken or abandoned.[[ The server said: “{diag}”]]",
				Whose: "Undecided: either the sending side (a missing login) or the recipient's side (a domain " +
					"whose mail server does not accept it). Finding out which server refused tells them apart.",
				Steps: []string{
					"Ask whoever runs the sending setup whether the server that refused[[ ({mta})]] is their " +
						"own outgoing server. If it is, they must make the sending program log in (SMTP " +
						"authentication) before sending.",
					"If it is the recipient's server, the recipient's domain is probably misconfigured: " +
						"contact the person another way and let them know.",
					"Meanwhile do not resend again and again; if other addresses at this domain get the same " +
						"answer, remove the address.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused with “relaying denied”",
				What: "A mail server refused to pass your message on. Either your email program did not sign in " +
					"to send, or the recipient's domain is not set up to receive mail.",
				Whose: "Not clear yet: it may be your side or the recipient's.",
				Steps: []string{
					"Check that your email program signs in to send (authentication for the outgoing server " +
						"switched on) and uses port 587.",
					"If it does and your other messages go out, the recipient's address is the problem: reach " +
						"them another way.",
				},
			},
			Admin: texts{
				Headline: "Relay access denied[[ by {mta}]][[ ({code})]]: sender or recipient side undecided",
				What: "A server[[ ({mta})]] refused to relay mail for {rcpt}[[ at {command}]]. Two opposite " +
					"causes give this reply. Hypothesis 1, sender side: your own relay or smarthost refused " +
					"because the client did not authenticate or is not in its trusted networks. Hypothesis 2, " +
					"recipient side: the MX of {domain} does not list the domain as a local or relay domain " +
					"(dead domain, broken DNS, half-finished migration). The evidence does not tell them " +
					"apart.[[ Diagnostic: “{diag}”]]",
				Whose: "Unknown: sender side if the refusing host is your own relay, recipient side if it is an " +
					"MX of {domain}.",
				Steps: []string{
					"Tell them apart: compare the refusing host[[ {mta}]] with the MX hosts of the recipient " +
						"domain[[ (`dig +short MX {domain}`)]] and with your own relayhost or smarthost.",
					"Your relay (sender side): submit on port 587 with STARTTLS and SMTP AUTH; on the relay " +
						"allow authenticated clients (Postfix: `smtpd_relay_restrictions = permit_mynetworks, " +
						"permit_sasl_authenticated, reject_unauth_destination`; Exim: `accept authenticated = *` " +
						"and `accept hosts = +relay_from_hosts` in acl_smtp_rcpt).",
					"Still sender side: check that SASL is running (Dovecot auth or Cyrus saslauthd), and that " +
						"a client meant to relay without a login has its IP in mynetworks (Postfix) or " +
						"relay_from_hosts (Exim).",
					"An MX of {domain} (recipient side): that host must list the domain in mydestination, " +
						"virtual_mailbox_domains or relay_domains (Postfix), local_domains or relay_to_domains " +
						"(Exim), or as an accepted domain (Exchange); otherwise the domain's MX records are stale " +
						"and must point to the right servers.",
					"Never make the error go away by opening the relay. If the refusing host names a blocklist " +
						"instead, this is a block, not a relay problem: fix its cause, then request delisting " +
						"(Spamhaus, Barracuda, SpamCop).",
				},
			},
		},
		{Reason: classify.NoRelaying, Side: classify.SideSender}: {
			Marketer: texts{
				Headline: "Refused: the sending server was not allowed to pass the message on",
				What: "The outgoing mail server used to send to {rcpt}[[ ({mta})]] refused to forward the " +
					"message because the sender did not log in to it[[ (reply {code})]]. Outgoing servers only " +
					"pass mail on for users who sign in, or for machines they trust, so that spammers cannot " +
					"use them.[[ The server said: “{diag}”]]",
				Whose: "The sending side: the sending program or server must log in to its outgoing server. The " +
					"recipient and their address are fine.",
				Steps: []string{
					"Forward this bounce to whoever manages the sending setup (IT team, developer, or the " +
						"platform's support).",
					"They must make the sending program log in to its outgoing server (SMTP authentication) on " +
						"port 587 over an encrypted connection (STARTTLS), with the right user name and password.",
					"Do not remove the recipient from your list: nothing is wrong with the address.",
					"Resend once a test message goes through.",
				},
			},
			EndUser: texts{
				Headline: "Your message was not sent: your mail server wants you to sign in",
				What: "Your outgoing mail server refused to send the message because your email program did not " +
					"sign in to it.",
				Whose: "Your side: your email program's settings.",
				Steps: []string{
					"In your email program's account settings, switch on authentication for the outgoing " +
						"(SMTP) server, with the same user name and password as for receiving.",
					"Set the outgoing server port to 587 with STARTTLS, or use the settings your provider gives.",
					"Send the message again.",
				},
			},
			Admin: texts{
				Headline: "Relay denied by your own relay[[ {mta}]][[ ({code})]]: client not authenticated",
				What: "The refusing host[[ {mta}]] is on the sending path, not an MX of {domain}: it refused to " +
					"relay for {rcpt} because the client neither authenticated nor matched its trusted " +
					"networks[[ (at {command})]].[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the submitting client or the relay's configuration must change.",
				Steps: []string{
					"Submit on port 587 (submission) with STARTTLS, then SMTP AUTH; do not relay " +
						"unauthenticated through port 25. Many servers offer AUTH only after STARTTLS (Postfix: " +
						"smtpd_tls_auth_only = yes), so a client that skips STARTTLS never sees AUTH.",
					"Postfix relay, main.cf: `smtpd_relay_restrictions = permit_mynetworks, " +
						"permit_sasl_authenticated, reject_unauth_destination`; master.cf: enable the submission " +
						"service with `-o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o " +
						"smtpd_relay_restrictions=permit_sasl_authenticated,reject`; then `postfix reload`.",
					"An application server that relays by IP without a login: add exactly its address to " +
						"mynetworks (Postfix) or relay_from_hosts (Exim, used by `accept hosts = " +
						"+relay_from_hosts` in acl_smtp_rcpt), never a range you do not control. Exchange: a " +
						"dedicated receive connector limited to that IP, with the " +
						"Ms-Exch-SMTP-Accept-Any-Recipient permission.",
					"Exim with logins: keep `accept authenticated = *` in acl_smtp_rcpt before the relay " +
						"check, and let auth_advertise_hosts offer AUTH once TLS is up.",
					"Check that SASL works: Postfix `smtpd_sasl_type = dovecot` with `smtpd_sasl_path = " +
						"private/auth` and Dovecot's auth service listening there (`doveadm auth test <user>`), or " +
						"Cyrus saslauthd running (`testsaslauthd -u <user> -p <password>`). Updates often break " +
						"this: look for \"SASL authentication failure\" or \"warning: SASL\" in the mail log.",
					"Clients that relied on POP-before-SMTP lose relay permission when their IP changes: move " +
						"them to SMTP AUTH.",
					"If the platform sends through a smarthost (Postfix `relayhost = [smtp.example.net]:587`), " +
						"give it credentials: `smtp_sasl_auth_enable = yes`, `smtp_sasl_password_maps`, " +
						"`smtp_tls_security_level = encrypt`.",
					"Never open the relay to make the error go away: an open relay is abused within hours and " +
						"lands on blocklists. If that already happened, close it first, then request delisting " +
						"(Spamhaus, Barracuda, SpamCop).",
					"Send a test and check that the log shows an authenticated session (Postfix logs " +
						"sasl_username=) before resending.",
				},
			},
		},
		{Reason: classify.NoRelaying, Side: classify.SideRecipient}: {
			Marketer: texts{
				Headline: "Refused by the recipient's mail server: the domain's mail setup is broken",
				What: "The mail server that handles {domain}[[ ({mta})]] answered that it does not relay[[ " +
					"(reply {code})]]: it does not treat the domain as one of its own. This happens when a " +
					"domain has been abandoned, or has moved to another mail provider while its DNS still " +
					"points at the old one. The message to {rcpt} was refused before delivery.[[ The server " +
					"said: “{diag}”]]",
				Whose: "The recipient's side: their domain's mail configuration must be fixed. Your sending is " +
					"fine and nothing needs to change on your side.",
				Steps: []string{
					"No change to your sending setup is needed.",
					"If this contact matters, tell them through another channel that mail to {domain} is being " +
						"refused, so their IT team can fix the domain's mail records.",
					"If it keeps happening, or other senders get the same answer from this domain, remove the " +
						"address from your list.",
				},
			},
			EndUser: texts{
				Headline: "The recipient's mail server refused your message",
				What: "The recipient's domain is not set up correctly to receive mail, so your message was " +
					"refused.",
				Whose: "The recipient's side, not yours.",
				Steps: []string{
					"Contact the person another way (phone, another address) and tell them their email is not working.",
					"Send again once they confirm it is fixed.",
				},
			},
			Admin: texts{
				Headline: "Relay denied by the recipient's MX[[ {mta}]][[ ({code})]]: {domain} not accepted as a " +
					"local domain",
				What: "The refusing host[[ {mta}]] is an MX of {domain}, or belongs to the same provider, yet it " +
					"treats the domain as foreign and refused to relay mail for {rcpt}. Its configuration or " +
					"the domain's MX records are wrong.[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the MX records of {domain} or the configuration of its mail server must " +
					"be fixed.",
				Steps: []string{
					"Check where mail for the domain goes[[ (`dig +short MX {domain}`)]]: the MX host names " +
						"must resolve (A or AAAA) and be the servers that should receive for the domain today.",
					"On the MX (Postfix), list the domain in exactly one address class: mydestination for " +
						"local accounts, virtual_mailbox_domains or virtual_alias_domains for virtual users, or " +
						"relay_domains (with a transport_maps entry) when passing mail to an inside server; " +
						"`postconf mydestination relay_domains virtual_mailbox_domains` shows the current values; " +
						"then `postfix reload`.",
					"Exim: add the domain to domainlist local_domains or relay_to_domains. Exchange: add it as " +
						"an accepted domain (Authoritative, or Internal Relay).",
					"After a migration, point the MX records at the new provider, remove the old ones, and " +
						"wait for the TTL before switching the old server off; a backup MX must list the domain in " +
						"relay_domains too.",
					"If the domain should no longer receive mail, publish a null MX (`0 .`, RFC 7505) so " +
						"senders fail fast and clearly.",
					"As a sender you cannot fix this: tell the recipient through another channel, and suppress " +
						"the address if the domain stays broken.",
				},
			},
		},
		// DESIGN.md "Auto-replies": vacation reply refused by a platform's return address
		{Reason: classify.NoRelaying, AutoReply: true}: {
			Marketer: texts{
				Headline: "The client's out-of-office reply was refused with “relaying denied”; their mailbox is fine",
				What: "The client received a message from the platform, and their automatic reply (out of " +
					"office) answered it. The answer went to {rcpt}, the address the platform sends from or " +
					"uses for returns. The mail server for {domain}[[ ({mta})]] does not take mail for that " +
					"address and answered “relaying denied”[[ ({code})]]: in plain words, it does not consider " +
					"itself the place to deliver it, so it refused the reply, and the error came back to the " +
					"client.[[ The server said: “{diag}”]]",
				Whose: "The platform's side: its return or no-reply address refuses replies. The client's mailbox " +
					"is fine, and their normal mail in both directions is not affected.",
				Steps: []string{
					"Tell the client their mailbox is fine: the original message reached them, and this error " +
						"concerns only their automatic reply.",
					"They do not need to do anything. For fewer of these errors, they can set the automatic " +
						"reply to answer only their contacts or their organisation.",
					"Ask the platform's team to make the return address accept replies (and discard them) " +
						"instead of refusing them with “relaying denied”.",
				},
			},
			EndUser: texts{
				Headline: "Your out-of-office reply was refused; your mailbox is fine",
				What: "Your automatic reply answered a no-reply address, and that address's mail server refused " +
					"it with “relaying denied”.",
				Whose: "Not your side: the no-reply address refuses mail. Your mailbox works normally.",
				Steps: []string{
					"No action needed: you can ignore this message.",
					"To avoid it, set your automatic reply to answer only your contacts.",
				},
			},
			Admin: texts{
				Headline: "Auto-reply to {rcpt} refused with relay denied[[ ({code})]]: the platform's return domain " +
					"is not served by its MX",
				What: "The returned original is an RFC 3834 auto-reply from {from} to {rcpt}. The server for " +
					"{domain}[[ ({mta})]] refused to relay it, so the host the domain's MX points to does not " +
					"treat the domain as local or relay: the platform's return address cannot receive mail. " +
					"The responder's mailbox and server are fine.[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side of this bounce, which is the platform's return domain; the responder's " +
					"mailbox and server are fine.",
				Steps: []string{
					"Responder's side: nothing to fix; optionally limit the responder to contacts or to the " +
						"organisation.",
					"Platform: check the MX of the return domain[[ (`dig +short MX {domain}`)]]; if it points " +
						"at a host that does not serve the domain, fix the MX records.",
					"Platform, on that MX: list the domain in mydestination, virtual_mailbox_domains or " +
						"relay_domains (Postfix), local_domains (Exim) or as an accepted domain (Exchange); then " +
						"accept replies to the return address and drop them (a Postfix check_recipient_access " +
						"entry with the DISCARD action) or deliver them to a mailbox someone reads.",
					"Platform: mark outgoing mail so responders skip it: `Auto-Submitted: auto-generated` on " +
						"notifications; `Precedence: bulk`, List-Id and List-Unsubscribe on campaigns (RFC 3834, " +
						"and Sieve vacation, RFC 5230, tell responders not to answer these).",
					"Do not count this as a bounce of {from}: their address works.",
				},
			},
		},
		{Reason: classify.MailboxFull, Delay: true}: { // RFC 3463 X.2.2 in a delay notice: over quota for now
			Marketer: texts{
				Headline: "Not delivered yet: the recipient's mailbox is full; still trying[[ until {until}]]",
				What: "This is a delay warning, not a bounce. The mailbox of {rcpt} is full, so the sending server" +
					"[[ {reporter}]] keeps retrying[[ until {until}]][[ (last answer {code})]].[[ The server " +
					"said: “{diag}”]]",
				Whose: "The recipient's side: they must make room in their mailbox. Nothing to change in the sending.",
				Steps: []string{
					"Do nothing for now: the message is delivered by itself if the recipient frees space in time.",
					"If a final bounce follows[[ after {until}]], treat the address as soft: try again in a few days.",
				},
			},
			EndUser: texts{
				Headline: "Your message is delayed: the recipient's mailbox is full[[; still trying until {until}]]",
				What: "The mailbox of {rcpt} is full. Your mail server keeps trying; you do not need to send the " +
					"message again.",
				Whose: "The recipient's side: they need to free some space.",
				Steps: []string{
					"Wait; if it matters, tell the recipient another way that their mailbox is full.",
				},
			},
			Admin: texts{
				Headline: "Delayed: mailbox full for {rcpt}[[, retrying until {until}]][[ ({code})]]",
				What: "RFC 3464 delay notification from[[ {reporter}]]: the recipient's mailbox is over quota " +
					"(RFC 3463 X.2.2); the message stays queued[[ until {until}]] (Will-Retry-Until).[[ Last " +
					"attempt: “{diag}”]]",
				Whose: "Recipient side: the mailbox owner or its administrator must free space or raise the quota.",
				Steps: []string{
					"Leave the message queued; do not suppress the address on a delay notification.",
					"If you run the receiving server: check the quota (Dovecot `doveadm quota get -u {rcpt}`) " +
						"and raise it or clean up.",
				},
			},
		},
		{Delay: true}: { // RFC 3464 2.3.3 action "delayed": a warning, not a failure (issue 8 item 4)
			Marketer: texts{
				Headline: "Not delivered yet: the sending server is still trying[[ until {until}]]",
				What: "This is a delay warning, not a bounce. The sending server[[ {reporter}]] could not hand " +
					"the message " +
					"to {rcpt} yet and keeps retrying[[ until {until}]][[ (last answer {code})]].[[ The server " +
					"said: “{diag}”]]",
				Whose: "Nobody needs to act yet: most delays clear by themselves. A bounce will follow only if " +
					"every retry fails.",
				Steps: []string{
					"Do nothing for now: do not suppress the address on a delay warning.",
					"If a final bounce follows[[ after {until}]], handle that bounce by its reason.",
				},
			},
			EndUser: texts{
				Headline: "Your message is delayed; delivery is still being tried[[ until {until}]]",
				What: "Your message to {rcpt} has not arrived yet. Your mail server keeps trying; you do not " +
					"need to send it again.",
				Whose: "Nothing to do for now.",
				Steps: []string{
					"Wait: you will get another message only if delivery finally fails.",
				},
			},
			Admin: texts{
				Headline: "Delayed (action delayed): still queued for {rcpt}[[, retrying until {until}]][[ ({code})]]",
				What: "RFC 3464 delay notification from[[ {reporter}]]: the message is still in the queue and " +
					"delivery is " +
					"being retried[[ until {until}]] (Will-Retry-Until).[[ Last attempt: “{diag}”]]",
				Whose: "Not final: the cause of the last attempt's failure is in the diagnostic; it may clear " +
					"before the queue gives up.",
				Steps: []string{
					"Leave the message queued; do not suppress the address on a delay notification.",
					"If the same destination keeps deferring, look at the last reply: rate limits, greylisting " +
						"or an unreachable MX.",
					"Check the queue again once the retry period ends[[ ({until})]]: a final DSN will follow " +
						"if it never gets through.",
				},
			},
		},
		{AutoReply: true}: { // any other failure of a returned auto-reply
			Marketer: texts{
				Headline: "The client's automatic reply was refused, not their mail",
				What: "The message that bounced was not one the client wrote: it was the automatic reply (out of " +
					"office) their mailbox sent when a message arrived. It went to {rcpt}, a return or " +
					"no-reply address of the sending platform that does not accept incoming mail, so the reply " +
					"was refused[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The platform's side: its return address refuses replies. The client's mailbox is fine: it " +
					"received the original message, and their normal mail is not affected.",
				Steps: []string{
					"Tell the client that no action is required: their mailbox works, and messages people send " +
						"them are delivered.",
					"If the errors bother them, they can set the automatic reply to answer only their contacts " +
						"or their organisation, or switch it off when they are back.",
					"The platform can stop these errors by having its return address accept replies (and " +
						"discard them) instead of refusing them.",
				},
			},
			EndUser: texts{
				Headline: "Your automatic reply could not be delivered, but your mailbox is fine",
				What: "Your out-of-office reply answered an automated message, and the address it replied to " +
					"does not accept mail.",
				Whose: "Not your side: that address refuses all replies. Your mailbox is working.",
				Steps: []string{
					"Nothing to do: you can ignore this message.",
					"To avoid it, set your automatic reply to answer only your contacts.",
				},
			},
			Admin: texts{
				Headline: "Bounce of an auto-reply: {rcpt} refuses mail[[ ({code})]]",
				What: "The returned original is an RFC 3834 auto-reply (vacation responder) from {from}, sent to " +
					"{rcpt}, the return or no-reply address of a sending platform; the server[[ {mta}]] " +
					"refused it. The responder's mailbox and server work: normal mail is not failing.[[ " +
					"Diagnostic: “{diag}”]]",
				Whose: "The platform's side (the recipient side of this bounce): its return address refuses " +
					"replies. The responder's mailbox is fine.",
				Steps: []string{
					"Responder's side: nothing is broken. Optionally restrict the responder (Exchange and " +
						"Microsoft 365: reply only to senders in the organisation or to contacts; Sieve vacation: " +
						":days limits replies per sender).",
					"Platform: make the return address accept mail (a domain served by its MX, the address " +
						"known) and drop the replies (a Postfix check_recipient_access entry with DISCARD) or " +
						"deliver them to a mailbox someone reads.",
					"Platform: mark outgoing mail so responders skip it: `Auto-Submitted: auto-generated` on " +
						"notifications; `Precedence: bulk`, List-Id and List-Unsubscribe on campaigns (RFC 3834, " +
						"and Sieve vacation, RFC 5230).",
					"Do not count this as a bounce of {from}: their address works.",
				},
			},
		},
		{Reason: classify.NotAccept}: {
			Marketer: texts{
				Headline: "Undeliverable: the recipient's domain accepts no email",
				What: "The domain {domain} is set up to refuse all email, so the message to {rcpt} could not be " +
					"delivered[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side: the domain does not take mail at all.",
				Steps: []string{
					"Remove the address from your list.",
					"If you need to reach the person, ask for another address.",
				},
			},
			EndUser: texts{
				Headline: "This address cannot receive email",
				What:     "The recipient's domain does not accept any email.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Ask the person for another address.",
				},
			},
			Admin: texts{
				Headline: "Destination accepts no mail: {domain}[[ ({code})]]",
				What: "The domain {domain} declares that it accepts no mail: a null MX (RFC 7505), or a 521 or " +
					"556 answer[[ from {mta}]].[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: deliberate; there is nothing to fix from the sending side.",
				Steps: []string{
					"Confirm it[[ with `dig MX {domain}`]]: `0 .` as the only MX is a null MX.",
					"Suppress the address: it is a hard bounce.",
					"If you run the domain and it should receive mail, replace the null MX with real MX records.",
				},
			},
		},
		{Reason: classify.NotCompliantRFC}: {
			Marketer: texts{
				Headline: "Refused: the message breaks email standards",
				What: "The receiving server[[ {mta}]] refused the message to {rcpt} because it does not follow " +
					"the email standards, for example a header that appears twice[[ (reply {code})]].[[ The " +
					"server said: “{diag}”]]",
				Whose: "The sending side: the message must be built correctly.",
				Steps: []string{
					"Send this bounce to the platform's support or your developer: the message must be fixed, " +
						"not the address.",
					"Resend once they confirm the fix.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused for a formatting error",
				What:     "Your message does not follow the email format rules the recipient's server enforces.",
				Whose:    "Your side, or your email program's.",
				Steps: []string{
					"Try sending from another email program or from webmail.",
					"If it fails again, forward this message to your IT team.",
				},
			},
			Admin: texts{
				Headline: "RFC 5322 violation rejected by the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] rejected the message for {rcpt} as non-compliant: " +
					"typically a header that may appear only once appears twice (From, Subject, Date, " +
					"Message-ID, To), Date or From is missing, or there are bare LFs or 8-bit bytes where they " +
					"are not allowed.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the message generator must comply with RFC 5322.",
				Steps: []string{
					"Inspect the raw message as sent: From, Sender, To, Cc, Subject, Date and Message-ID at " +
						"most once each; Date and From present.",
					"Check line endings (CRLF), lines under 998 characters, and 8-bit content only with " +
						"8BITMIME or SMTPUTF8.",
					"Fix the code or the template that adds the duplicate header, then resend.",
				},
			},
		},
		{Reason: classify.OnHold}: {
			Marketer: texts{
				Headline: "Undecided: not enough information yet",
				What: "The report for {rcpt} does not yet say clearly why the message was not delivered[[ (reply " +
					"{code})]].[[ The server said: “{diag}”]]",
				Whose: "Unknown for now.",
				Steps: []string{
					"Wait for the next attempt or the next bounce for this address before acting.",
					"Do not remove the address on this bounce alone.",
				},
			},
			EndUser: texts{
				Headline: "Delivery status unclear",
				What:     "It is not yet clear whether your message was delivered.",
				Whose:    "Not known yet.",
				Steps: []string{
					"Wait a little; if you receive another error, act on that one.",
				},
			},
			Admin: texts{
				Headline: "Too little evidence to classify the bounce for {rcpt}",
				What: "The bounce carries too little (status, reply code, diagnostic) to classify it[[; status " +
					"{status}]].[[ Diagnostic: “{diag}”]]",
				Whose: "Unknown: no side can be named yet.",
				Steps: []string{
					"Read the whole bounce and the mail log for this queue ID to find the real error.",
					"Keep the address; decide on the next bounce or delivery attempt.",
				},
			},
		},
		{Reason: classify.PolicyViolation}: {
			Marketer: texts{
				Headline: "Refused by the recipient's policy",
				What: "The receiving server[[ {mta}]] refused the message to {rcpt} because it breaks a rule of " +
					"the receiving organisation, such as a banned attachment type or content it does not " +
					"allow[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The sending side must adapt the message; the rule itself belongs to the recipient.",
				Steps: []string{
					"Read the server's answer for the rule that was hit.",
					"Remove the attachment or content it names (send a link instead of a file, for example), " +
						"then resend.",
					"If the contact expects this content, ask them to have it allowed.",
				},
			},
			EndUser: texts{
				Headline: "Your message broke a rule of the recipient's organisation",
				What:     "The recipient's mail server does not allow something in your message, often an attachment.",
				Whose:    "Your side: change the message.",
				Steps: []string{
					"Send it again without the attachment, or with a link instead.",
					"If unsure, ask the recipient what their organisation allows.",
				},
			},
			Admin: texts{
				Headline: "Policy rejection at the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] refused mail for {rcpt} under a local policy (attachment " +
					"types, content rules, sender restrictions) rather than over a technical fault.[[ " +
					"Diagnostic: “{diag}”]]",
				Whose: "Sender side: adapt the message; the policy belongs to the receiver.",
				Steps: []string{
					"Identify the rule from the diagnostic: a blocked extension (.exe, .js, .iso, documents " +
						"with macros, encrypted archives) or a restriction on outside senders.",
					"Send the content another way (a download link) or in an allowed format.",
					"If the policy is wrong for this traffic, ask the postmaster of {domain} for an exception, " +
						"quoting the time and the Message-ID.",
				},
			},
		},
		{Reason: classify.RateLimited}: {
			Marketer: texts{
				Headline: "Held back: too much mail sent too fast",
				What: "The receiving server[[ {mta}]] asked the sender to slow down: too many messages or " +
					"connections reached it in a short time[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The sending side: send more slowly to this provider.",
				Steps: []string{
					"No change to the list is needed; the address is fine.",
					"Spread large sends over a longer time, especially to one mailbox provider.",
					"The platform normally retries; if this bounce is final, resend later.",
				},
			},
			EndUser: texts{
				Headline: "Your message was held back because too many were sent",
				What:     "The recipient's server limits how much mail it accepts at once.",
				Whose:    "Your side: send fewer messages at once.",
				Steps: []string{
					"Wait an hour or so and send again.",
					"Send large mailings in smaller batches.",
				},
			},
			Admin: texts{
				Headline: "Rate limited by the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] throttled mail for {rcpt}: too many messages, recipients " +
					"or connections per period from your IP or domain.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: sending rate and concurrency must come down.",
				Steps: []string{
					"Lower concurrency and rate for that destination (Postfix: a dedicated transport with " +
						"`<transport>_destination_concurrency_limit = 2` and `<transport>_destination_rate_delay = " +
						"1s`; Exim: lower remote_max_parallel and the smtp transport's connection_max_messages).",
					"Honour 4xx replies: retry with backoff instead of reconnecting at once.",
					"Warm new IPs up gradually and keep complaint and bounce rates low; providers set these " +
						"limits from reputation.",
					"If the limit is on your own submission server (a per-user sending quota), raise it only " +
						"for accounts that should send in bulk.",
				},
			},
		},
		{Reason: classify.Rejected}: {
			Marketer: texts{
				Headline: "Refused because of the sender address",
				What: "The receiving server[[ {mta}]] refused the message to {rcpt} because of the address it " +
					"was sent from (the sender or return address) or its domain[[ (reply {code})]].[[ The " +
					"server said: “{diag}”]]",
				Whose: "The sending side: the sender address must be valid and able to receive replies.",
				Steps: []string{
					"Send from an address on your own verified domain, not a free webmail address (gmail.com, " +
						"yahoo.com, ...), when sending through a platform.",
					"Make sure the sender address exists and can receive mail.",
					"Resend after fixing the sender address; the recipient is fine.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused because of your sender address",
				What:     "The recipient's server did not accept the address you sent from.",
				Whose:    "Your side.",
				Steps: []string{
					"Check that your sender address is typed correctly and works.",
					"If it does, forward this message to your email provider.",
				},
			},
			Admin: texts{
				Headline: "Envelope sender rejected by the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] refused the MAIL FROM (or the header From) used for " +
					"{rcpt}: its domain does not resolve, the address failed a sender verification callout, or " +
					"the receiver blocks that sender.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the envelope sender must be a real, resolvable, deliverable address.",
				Steps: []string{
					"Check that the envelope sender's domain has MX or A records and that the address accepts " +
						"mail: receivers doing callouts (Postfix reject_unverified_sender, Exim verify = " +
						"sender/callout) connect back and try RCPT TO on it.",
					"Do not send with a From in a domain whose DMARC policy forbids your servers (a free-mail " +
						"address through a third-party platform, for example); use your own domain.",
					"Make the return path a working bounce mailbox: a malformed MAIL FROM, or a bounce address " +
						"that rejects mail, also ends here.",
					"Resend after fixing.",
				},
			},
		},
		{Reason: classify.RequirePTR}: {
			Marketer: texts{
				Headline: "Refused: the sending server lacks a proper DNS name",
				What: "The receiving server[[ {mta}]] refused mail to {rcpt} because the sending server's IP " +
					"address has no valid reverse DNS name[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The sending side: the sending server's DNS must be fixed.",
				Steps: []string{
					"Forward this to whoever runs the sending server, or to the platform's support.",
					"Resend once they confirm the fix; the address is fine.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused because of your mail server's setup",
				What:     "The recipient's server requires a setting your mail server lacks.",
				Whose:    "Your side: your email provider or IT team.",
				Steps: []string{
					"Forward this message to your IT team or email provider.",
					"Try again once they fix it.",
				},
			},
			Admin: texts{
				Headline: "Missing or mismatched PTR for the sending IP[[ ({code})]]",
				What: "The receiving server[[ {mta}]] requires forward-confirmed reverse DNS for mail to {rcpt}: " +
					"the sending IP's PTR must exist, and its name must resolve back to the same IP.[[ " +
					"Diagnostic: “{diag}”]]",
				Whose: "Sender side: the sending IP's reverse DNS.",
				Steps: []string{
					"Check: `dig -x <sending IP> +short` returns a name, and `dig +short <that name>` returns " +
						"the same IP (A for IPv4, AAAA for IPv6).",
					"Set the PTR with whoever owns the IP block (the hosting or cloud provider's panel, or " +
						"your ISP); generic names such as 192-0-2-1.dsl.example.net are often refused too, so use " +
						"your mail host's name.",
					"Make the HELO/EHLO name (Postfix myhostname, Exim primary_hostname) the same fully " +
						"qualified name as the PTR.",
					"For IPv6, set the IPv6 PTR as well, or send over IPv4; Gmail requires it for both.",
				},
			},
		},
		{Reason: classify.SecurityError}: {
			Marketer: texts{
				Headline: "Refused: a security requirement was not met",
				What: "The server[[ {mta}]] refused the message to {rcpt} because a security requirement failed: " +
					"a login was missing or wrong, or the connection was not secure enough[[ (reply " +
					"{code})]].[[ The server said: “{diag}”]]",
				Whose: "The sending side: the login or encryption settings of the sending setup must be fixed.",
				Steps: []string{
					"Forward this bounce to whoever manages the sending setup.",
					"They should check the user name, password and encryption settings used to send.",
					"Resend once a test goes through; the address is fine.",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused: a sign-in or security problem",
				What:     "Your mail server wants you to sign in securely before it sends mail.",
				Whose:    "Your side: your email program's settings.",
				Steps: []string{
					"Check the outgoing server settings in your email program: authentication on, the right " +
						"password, port 587 with STARTTLS (or 465 with SSL/TLS).",
					"If your password changed recently, update it in your email program.",
					"Send the message again.",
				},
			},
			Admin: texts{
				Headline: "Authentication or TLS requirement failed at the server[[ {mta}]][[ ({code})]]",
				What: "The server[[ {mta}]] refused mail for {rcpt} on a security requirement: AUTH required " +
					"(530 5.7.0), credentials rejected (535 5.7.8), or encryption required first (530 Must " +
					"issue a STARTTLS command first).[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the client's credentials or TLS settings.",
				Steps: []string{
					"Submit on 587 with STARTTLS (or 465 with implicit TLS) and authenticate; check which " +
						"mechanisms are offered after STARTTLS (`openssl s_client -starttls smtp -connect " +
						"<host>:587`, then EHLO).",
					"535: test the credentials against the auth backend (`doveadm auth test <user>`, " +
						"`testsaslauthd -u <user> -p <password>`); Gmail and Microsoft 365 want app passwords or " +
						"OAuth2 instead of the account password.",
					"Relaying through a provider: Postfix `smtp_sasl_auth_enable = yes`, " +
						"`smtp_sasl_password_maps` with an entry for the relayhost (then `postmap` the file), and " +
						"`smtp_tls_security_level = encrypt`.",
				},
			},
		},
		{Reason: classify.SpamDetected}: {
			Marketer: texts{
				Headline: "Refused as spam",
				What: "The receiving server[[ {mta}]] judged the message to {rcpt} to be spam and refused it[[ " +
					"(reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The sending side: the content or the sending pattern looked like spam.",
				Steps: []string{
					"Review the message: a clear subject, your brand visible, a balance of text and images, no " +
						"link shorteners, a visible unsubscribe link.",
					"Send only to people who asked for your mail, and remove long-inactive addresses.",
					"Resend a revised message later; do not resend the same one at once.",
				},
			},
			EndUser: texts{
				Headline: "Your message was taken for spam",
				What:     "The recipient's filter thought your message was spam.",
				Whose:    "Your side: change the message.",
				Steps: []string{
					"Rewrite the message more plainly, with fewer links and no attachments, and send it again.",
					"Or contact the recipient another way and ask them to allow your address.",
				},
			},
			Admin: texts{
				Headline: "Content judged spam by the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] rejected mail for {rcpt} on a spam score (content, URLs or " +
					"the sender's reputation).[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: content, links and sending reputation.",
				Steps: []string{
					"Run the message through a content scanner (SpamAssassin: `spamassassin -t < message.eml`) " +
						"to see which rules fire.",
					"Check every domain linked in the message against URI blocklists (Spamhaus DBL, SURBL, " +
						"URIBL): one listed link can sink a message.",
					"Make sure SPF, DKIM and DMARC pass and align, and that one-click List-Unsubscribe is present.",
					"Check complaint and engagement data (Google Postmaster Tools, Microsoft SNDS) before resending.",
				},
			},
		},
		{Reason: classify.Suppressed}: {
			Marketer: texts{
				Headline: "Not sent: the address is on the suppression list",
				What: "The platform did not send to {rcpt} because the address is on its suppression list, after " +
					"an earlier hard bounce, a complaint or an unsubscribe.",
				Whose: "No one needs to act unless the person asks to receive mail again.",
				Steps: []string{
					"Leave the address suppressed.",
					"Take it off the suppression list only if the person confirms they want your mail and the " +
						"address works.",
				},
			},
			EndUser: texts{
				Headline: "Your message was not sent to this address",
				What: "This address is blocked on the sending side because it failed before or asked not to " +
					"receive mail.",
				Whose: "Nobody's fault: a protective block.",
				Steps: []string{
					"Check the address, or ask the person for a current one.",
				},
			},
			Admin: texts{
				Headline: "Recipient suppressed by the sending platform",
				What: "No delivery to {rcpt} was attempted: the address is on the sender's suppression list (an " +
					"earlier hard bounce, complaint or unsubscribe)[[; report from {reporter}]].",
				Whose: "No side: a safeguard of the sending platform.",
				Steps: []string{
					"Look up why and when the address was suppressed.",
					"Remove it only with proof that the address works and the person opted in: sending again " +
						"to bounced or complaining addresses harms reputation.",
				},
			},
		},
		{Reason: classify.Suspend}: {
			Marketer: texts{
				Headline: "Undeliverable: the recipient's account is disabled",
				What: "The mailbox of {rcpt} exists but has been disabled or suspended, so it does not receive " +
					"mail[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side.",
				Steps: []string{
					"Stop sending to the address for now: it is often a closed or unpaid account.",
					"If it keeps bouncing, remove it from your list.",
				},
			},
			EndUser: texts{
				Headline: "The recipient's account is disabled",
				What:     "The recipient's mailbox is switched off.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Contact the person another way and ask for a working address.",
				},
			},
			Admin: texts{
				Headline: "Mailbox disabled: {rcpt}[[ ({code})]]",
				What: "The receiving server[[ {mta}]] reports that the account {rcpt} is disabled, suspended or " +
					"inactive.[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the account owner or the provider must reactivate it.",
				Steps: []string{
					"Treat it as hard for now, and suppress the address after a repeat bounce.",
					"If you run {domain}: check the account's status in the directory (disabled, locked, " +
						"licence removed).",
				},
			},
		},
		{Reason: classify.SyntaxError}: {
			Marketer: texts{
				Headline: "Refused: the sending server sent an invalid command",
				What: "The receiving server[[ {mta}]] did not understand a command from the sending server while " +
					"delivering to {rcpt}[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The sending side: a technical fault in the sending software.",
				Steps: []string{
					"Forward this bounce to the platform's support or your IT team.",
					"Resend after they fix it; the address is fine.",
				},
			},
			EndUser: texts{
				Headline: "Your message failed because of a technical error in sending",
				What:     "Your mail server sent something the recipient's server could not understand.",
				Whose:    "Your side: your email provider.",
				Steps: []string{
					"Forward this message to your IT team or email provider.",
				},
			},
			Admin: texts{
				Headline: "SMTP syntax error reported by the receiving server[[ {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] answered a command[[ ({command})]] with a syntax or " +
					"sequence error (500 to 504) while mail for {rcpt} was being sent.[[ Diagnostic: “{diag}”]]",
				Whose: "Sender side: the SMTP client's commands or parameters.",
				Steps: []string{
					"Look at the command that was answered: a malformed address in MAIL FROM or RCPT TO (no " +
						"angle brackets, spaces, non-ASCII without SMTPUTF8), an extension parameter the server " +
						"does not offer, or commands out of order (503).",
					"Capture a session (Postfix: `debug_peer_list = <mx host>`; or swaks) and compare it with " +
						"RFC 5321.",
					"Fix the client or the address data, then resend.",
				},
			},
		},
		{Reason: classify.SystemError}: {
			Marketer: texts{
				Headline: "Not delivered: the recipient's server had a fault",
				What: "The server for {rcpt} had an internal error and could not take the message[[ (reply " +
					"{code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side: their mail server has a technical problem.",
				Steps: []string{
					"Resend later.",
					"If it persists for days, let the contact know.",
				},
			},
			EndUser: texts{
				Headline: "The recipient's mail server had a technical problem",
				What:     "Something failed on the recipient's mail server.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Try again later.",
				},
			},
			Admin: texts{
				Headline: "Remote system error[[ at {mta}]][[ ({code})]]",
				What: "The receiving system[[ {mta}]] failed internally while handling mail for {rcpt} (storage, " +
					"database, directory lookup, mail loop or configuration).[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the receiving system must be fixed.",
				Steps: []string{
					"If the error is temporary (4xx), let the queue retry.",
					"A mail loop (5.4.6, “too many hops”) means the domain's routing sends mail back to " +
						"itself: tell the postmaster of {domain}.",
					"Report persistent failures to the postmaster of {domain} with the time and the diagnostic.",
				},
			},
		},
		{Reason: classify.SystemFull}: {
			Marketer: texts{
				Headline: "Not delivered: the recipient's server is out of space",
				What: "The server for {rcpt} has run out of disk space and could not store the message[[ (reply " +
					"{code})]].[[ The server said: “{diag}”]]",
				Whose: "The recipient's side.",
				Steps: []string{
					"Resend later; this is usually fixed quickly.",
					"If it lasts for days, let the contact know.",
				},
			},
			EndUser: texts{
				Headline: "The recipient's mail server is full",
				What:     "The recipient's server has no room left for messages right now.",
				Whose:    "The recipient's side.",
				Steps: []string{
					"Try again later.",
				},
			},
			Admin: texts{
				Headline: "Insufficient system storage[[ at {mta}]][[ ({code})]]",
				What: "The receiving server[[ {mta}]] reported insufficient system storage (452 4.3.1 or " +
					"similar) for {rcpt}: the server's disk or queue is full, not the user's quota.[[ " +
					"Diagnostic: “{diag}”]]",
				Whose: "Recipient side: the receiving server's storage.",
				Steps: []string{
					"Let the queue retry: it is transient.",
					"If you run {domain}: free space on the spool and mailbox volumes (`df -h`; Postfix " +
						"queue_minfree), and look for a runaway queue.",
					"If it persists, tell the postmaster of {domain}.",
				},
			},
		},
		{Reason: classify.Undefined}: {
			Marketer: texts{
				Headline: "Not delivered: the reason could not be determined",
				What: "The message to {rcpt} was not delivered, and the bounce does not say why in a way we " +
					"recognise[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "Unknown.",
				Steps: []string{
					"Read the server's answer above: it may say more than the codes.",
					"Keep the address for now and watch the next sends.",
				},
			},
			EndUser: texts{
				Headline: "Your message was not delivered",
				What:     "The reason is not clear from the error message.",
				Whose:    "Unknown.",
				Steps: []string{
					"Try again later; if it fails again, forward this message to your IT team.",
				},
			},
			Admin: texts{
				Headline: "Unclassified failure for {rcpt}[[ ({code})]]",
				What: "No rule matched this bounce[[; status {status}]][[; remote host {mta}]].[[ Diagnostic: " +
					"“{diag}”]]",
				Whose: "Unknown: the evidence names no side.",
				Steps: []string{
					"Read the whole bounce and the sending log for this queue ID.",
					"If the text is a recognisable error, report the sample so that a rule can be added.",
					"Do not suppress the address on this bounce alone.",
				},
			},
		},
		{Reason: classify.UserUnknown}: {
			Marketer: texts{
				Headline: "Undeliverable: the address does not exist",
				What: "The server for {domain} says there is no mailbox {rcpt}[[ (reply {code})]]. The address " +
					"may be mistyped, or the person has left.[[ The server said: “{diag}”]]",
				Whose: "The recipient's side: the address is invalid; the sending is fine.",
				Steps: []string{
					"Remove the address from your list: sending to addresses that do not exist harms your reputation.",
					"If it is a typo you can confirm with the person, correct it.",
				},
			},
			EndUser: texts{
				Headline: "The address does not exist",
				What:     "There is no mailbox {rcpt}.",
				Whose:    "The address is wrong or no longer exists.",
				Steps: []string{
					"Check the spelling of the address and send again.",
					"If it is correct, ask the person for their current address.",
				},
			},
			Admin: texts{
				Headline: "Unknown user: {rcpt}[[ ({code})]]",
				What: "The receiving server[[ {mta}]] rejected {rcpt} as a mailbox that does not exist " +
					"(typically 550 5.1.1)[[ at {command}]].[[ Diagnostic: “{diag}”]]",
				Whose: "Recipient side: no such mailbox.",
				Steps: []string{
					"Suppress the address: it is a hard bounce, and repeated sends to unknown users hurt the " +
						"sender's reputation.",
					"If many addresses at {domain} fail at once, suspect the recipient's server (a broken " +
						"directory lookup or a migration) before suppressing them all.",
					"If you run {domain}: check that the user exists in the lookup the MTA uses (Postfix: " +
						"`postmap -q <address> <map>` for virtual_mailbox_maps or local_recipient_maps).",
				},
			},
		},
		{Reason: classify.UserUnknown, Side: classify.SideUnknown}: {
			Marketer: texts{
				Headline: "Refused as an unknown address, but the recipient's server may be at fault",
				What: "The server for {domain} says there is no mailbox {rcpt}[[ (reply {code})]]. The evidence " +
					"does not show whether the address is really gone, or whether the domain's mail server " +
					"rejects addresses it should know, as happens during a move to a new provider.[[ The " +
					"server said: “{diag}”]]",
				Whose: "Undecided, though most likely the recipient's side either way.",
				Steps: []string{
					"Check whether other addresses at {domain} bounced the same way recently.",
					"If only this one did, remove it from your list.",
					"If many did, pause sending to {domain} and let a contact there know that their mail " +
						"server rejects their own addresses.",
				},
			},
			EndUser: texts{
				Headline: "The address may not exist",
				What: "The recipient's server says this address does not exist, but it may be a temporary fault " +
					"on their side.",
				Whose: "Probably the recipient's side.",
				Steps: []string{
					"Check the spelling and send again.",
					"If it fails again, ask the person for their current address.",
				},
			},
			Admin: texts{
				Headline: "Unknown user {rcpt}[[ ({code})]], possibly a misconfigured server",
				What: "The receiving server[[ {mta}]] rejected {rcpt} as unknown, but the evidence (domain " +
					"history, the host that answered) does not confirm that the mailbox is gone: a migration " +
					"or a broken directory lookup also answers 550 5.1.1 for valid users.[[ Diagnostic: " +
					"“{diag}”]]",
				Whose: "Unknown: the mailbox or the recipient's server; not the sender.",
				Steps: []string{
					"Compare the answering host with the current MX[[ (`dig +short MX {domain}`)]]: a host " +
						"that is no longer an MX points to stale DNS or a half-finished migration.",
					"Count recent unknown-user bounces for {domain}: many distinct users at once means the " +
						"server, not the users.",
					"Suppress only addresses that keep failing while the rest of the domain accepts mail.",
				},
			},
		},
		{Reason: classify.Vacation}: {
			Marketer: texts{
				Headline: "Automatic reply: the recipient is away",
				What: "This is not a bounce: {rcpt} has an automatic reply (out of office) switched on, and it " +
					"answered the message. The message itself was delivered.",
				Whose: "No one needs to act.",
				Steps: []string{
					"Keep the address; do not count this as a bounce.",
					"If the reply gives a return date or another contact, pass it on where useful.",
				},
			},
			EndUser: texts{
				Headline: "The recipient is away (automatic reply)",
				What:     "Your message arrived; this is an automatic out-of-office answer.",
				Whose:    "Nothing to do.",
				Steps: []string{
					"No action needed; read the reply for a return date or another contact.",
				},
			},
			Admin: texts{
				Headline: "RFC 3834 auto-reply from {rcpt}",
				What: "An automatic response (Auto-Submitted: auto-replied, or a responder's subject), not a " +
					"delivery failure. The original was delivered.",
				Whose: "No side: nothing failed.",
				Steps: []string{
					"Do not treat it as a bounce or suppress the address.",
					"For fewer of these, send bulk mail with `Precedence: bulk`, List-Id and List-Unsubscribe, " +
						"and automated notices with `Auto-Submitted: auto-generated`; responders following RFC " +
						"3834 or Sieve vacation (RFC 5230) skip them.",
					"Point replies at a mailbox that accepts them (or accepts and discards them) rather than a " +
						"return address that refuses mail.",
				},
			},
		},
		{Reason: classify.VirusDetected}: {
			Marketer: texts{
				Headline: "Refused: a virus scanner flagged the message",
				What: "The receiving server[[ {mta}]] scanned the message to {rcpt} and reported malware in it, " +
					"usually in an attachment[[ (reply {code})]].[[ The server said: “{diag}”]]",
				Whose: "The sending side: the message and its attachments must be checked.",
				Steps: []string{
					"Do not resend the message as it is.",
					"Check the attachments with an up-to-date virus scanner, and share files as links to " +
						"trusted storage instead.",
					"If you used a document with macros, save it without them (as a PDF, for example).",
				},
			},
			EndUser: texts{
				Headline: "Your message was refused: a virus was detected",
				What: "The recipient's virus scanner found something dangerous in your message, probably an " +
					"attachment.",
				Whose: "Your side.",
				Steps: []string{
					"Scan your computer and the attachment with an up-to-date antivirus.",
					"Send the message again without the attachment, or send a PDF instead.",
				},
			},
			Admin: texts{
				Headline: "Malware detected by the receiving server[[ {mta}]][[ ({code})]]",
				What: "The scanner of the receiving server[[ {mta}]] rejected the message for {rcpt} as infected " +
					"or dangerous (a signature hit, or a file type it treats as malware).[[ Diagnostic: " +
					"“{diag}”]]",
				Whose: "Sender side: the content.",
				Steps: []string{
					"Scan the exact message as sent (for example `clamscan message.eml`), and check the " +
						"sending host and account for compromise: outgoing malware often means a hijacked account.",
					"If it is a false positive, report it to the scanner vendor named in the diagnostic and " +
						"send the file another way.",
					"Resend only clean content.",
				},
			},
		},
	},
}
