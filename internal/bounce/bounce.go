// Package bounce runs one message through the whole pipeline: limits, then
// dsn (facts), then the domain memory read, classify (verdict), explain
// (words), and the domain memory write. It owns the order of those steps
// and nothing else: no transport, no storage details.
package bounce

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bounced/bounced/internal/classify"
	"github.com/bounced/bounced/internal/dnscheck"
	"github.com/bounced/bounced/internal/domaincache"
	"github.com/bounced/bounced/internal/dsn"
	"github.com/bounced/bounced/internal/explain"
)

// DefaultCacheTimeout bounds each call to the domain memory.
const DefaultCacheTimeout = 50 * time.Millisecond

// CacheStatus says how the domain memory was used for a message.
type CacheStatus int

const (
	CacheDisabled    CacheStatus = iota // no store configured
	CacheHit                            // read, and some domain had history
	CacheMiss                           // read, no history yet
	CacheSkipped                        // the request asked to skip it
	CacheUnavailable                    // the store failed or timed out
)

// String names the status in lower case ("disabled", "hit", "miss",
// "skipped", "unavailable"): the metrics' label value, and the wire enum's
// name without its CACHE_STATUS_ prefix in upper case.
func (s CacheStatus) String() string {
	switch s {
	case CacheHit:
		return "hit"
	case CacheMiss:
		return "miss"
	case CacheSkipped:
		return "skipped"
	case CacheUnavailable:
		return "unavailable"
	}
	return "disabled"
}

// Config configures an Engine.
type Config struct {
	// Limits are the parser's limits (message size, MIME depth and parts, recipients).
	Limits dsn.Options
	// Store is the per-domain memory; nil runs without one.
	Store domaincache.Store
	// CacheTimeout bounds each Store call (default 50 ms).
	CacheTimeout time.Duration
	// Writer, when set, takes the writes off the request path: observations
	// are queued (domaincache.Batcher) and written in batches across
	// messages and streams. Nil writes each message's observations in one
	// round trip before Parse returns.
	Writer Writer
	// Now returns the current time (tests set it); default time.Now.
	Now func() time.Time
	// MaxParallel bounds the messages in their CPU-bound steps (parsing,
	// classifying, explaining) at once; 0 means no bound. A message
	// waiting for its cache read holds no slot, so that when the answer
	// comes it competes for the CPU with at most MaxParallel others and
	// its read budget is not spent queueing behind every parse in flight.
	// The server sets a few per CPU.
	MaxParallel int
	// DNS, when set, looks up the recipient domains' MX sets and the
	// sending IP's blocklist listings for every bounce (issue 11); nil
	// runs without DNS evidence.
	DNS Resolver
	// DNSBL are the blocklist zones the sending IP is looked up in.
	DNSBL []string
	// DNSBudget bounds all the DNS lookups of one message (default 1 s).
	DNSBudget time.Duration
}

// Resolver is the DNS evidence source (dnscheck.Resolver). Its lookups
// are bounded, cached and de-duplicated; it never fails, it names the
// lookups that did.
type Resolver interface {
	Relay(ctx context.Context, domain string, h dnscheck.Host) (dnscheck.MX, dnscheck.Decision, error)
	DNSBLs(ctx context.Context, ip netip.Addr, zones []string) []dnscheck.Listing
}

// Writer queues observations without blocking (domaincache.Batcher).
type Writer interface {
	Add(obs ...domaincache.Observation) error
}

// Engine parses and classifies messages. It is safe for concurrent use.
type Engine struct {
	cfg   Config
	slots chan struct{} // MaxParallel tokens; nil when unbounded
}

// New returns an Engine.
func New(cfg Config) *Engine {
	if cfg.CacheTimeout <= 0 {
		cfg.CacheTimeout = DefaultCacheTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DNSBudget <= 0 {
		cfg.DNSBudget = DefaultDNSBudget
	}
	if cfg.DNS == nil {
		// Only the blocklist lookups read the sending server's address.
		cfg.Limits.SkipSendingIP = true
	}
	e := &Engine{cfg: cfg}
	if cfg.MaxParallel > 0 {
		e.slots = make(chan struct{}, cfg.MaxParallel)
	}
	return e
}

// Request is one message to read.
type Request struct {
	// Raw is the message. Nothing the engine keeps after Parse returns
	// refers to its bytes (TestParseKeepsNoViewOfRaw): the caller may
	// reuse the buffer once it is done with the Result, whose strings may
	// share them.
	Raw       []byte
	Audience  explain.Audience
	Language  string
	Source    string
	SkipCache bool
	// Check, when set, vets the result after the verdicts and before the
	// domain memory write (for example, that the transport can encode
	// it). An error from Check is returned by Parse, wrapped, and nothing
	// of the message is written to the domain memory.
	Check func(*Result) error
}

// Result is the pipeline's answer for one message.
type Result struct {
	Source      string
	Report      *dsn.Report
	Recipients  []Recipient // one per Report.Recipients entry, same order
	CacheStatus CacheStatus
	// CacheErr is the store's error when CacheStatus is CacheUnavailable.
	CacheErr error

	// mem is the memory Parse made the Result and its Report in, which
	// Release gives back; nil for a Result of Classify or one released.
	mem *msgMem
}

// resultMem is a Result with room for one recipient, its evidence and
// its explanation's steps and texts (newResult).
type resultMem struct {
	res   Result
	one   [1]Recipient
	ev    [classify.EvidenceRoom]classify.Evidence
	steps [stepsRoom]string
	// text is the room of the recipient's explanation texts
	// (explain.ExplainIntoRoom): most are 200-450 bytes.
	text [explainRoom]byte
}

// msgMem is the memory of one message's Result and Report (dsn.Mem).
// Parse takes one from memPool; Release puts it back, cleared.
type msgMem struct {
	resultMem
	dsn dsn.Mem
}

// explainRoom is the size of resultMem.text.
const explainRoom = 512

var memPool = sync.Pool{New: func() any { return new(msgMem) }}

// Release gives the memory of r, a Result of Parse, back for the messages
// that follow, which then cost far fewer allocations (a server releases
// each Result once its answer is encoded). After Release, r and all that
// is reached from it (its Report, recipients, verdicts, explanations and
// every string read from them) must no longer be used: later messages
// overwrite them. Nothing the engine keeps (the domain memory, the DNS
// cache) refers to a Result's memory (TestParseKeepsNoViewOfRaw). A Result
// that is never released is collected as any other value; releasing nil
// or a Result of Classify does nothing. Release a Result once.
func (e *Engine) Release(r *Result) {
	if r == nil || r.mem == nil {
		return
	}
	m := r.mem
	r.mem = nil
	m.resultMem = resultMem{}
	m.dsn.Reset()
	memPool.Put(m)
}

// Recipient is the verdict and explanation of one recipient.
type Recipient struct {
	Facts       *dsn.Recipient
	Verdict     classify.Verdict
	Explanation explain.Explanation
	// History is the domain history the verdict used, nil when none.
	History *domaincache.Summary
}

// Parse runs the pipeline over one message. Its error wraps a dsn error
// (limits, not a message); a store failure is never an error, only a status.
func (e *Engine) Parse(ctx context.Context, req Request) (*Result, error) {
	if err := e.acquire(ctx); err != nil {
		return nil, err
	}
	m := memPool.Get().(*msgMem)
	rep, err := func() (*dsn.Report, error) {
		defer e.release() // also on a panic, which the server recovers from
		return dsn.ParseInto(req.Raw, e.cfg.Limits, &m.dsn)
	}()
	if err != nil {
		m.dsn.Reset() // nothing of it was handed out
		memPool.Put(m)
		return nil, err
	}
	// On an error below, m is left to the collector: Check may have
	// kept the Result.
	return e.judge(ctx, req, rep, m)
}

// judge runs the steps after the facts: the domain memory read, classify,
// explain and the memory write. Parse and Classify share it.
func (e *Engine) judge(ctx context.Context, req Request, rep *dsn.Report, m *msgMem) (*Result, error) {
	res, evidence := newResult(req.Source, rep, m)

	// The DNS lookups run while the domain memory is read; each is
	// bounded on its own (DNSBudget, CacheTimeout).
	var dnsFacts []*classify.DNSFacts
	var dnsDone chan []*classify.DNSFacts
	if e.cfg.DNS != nil {
		dnsDone = make(chan []*classify.DNSFacts, 1)
		go func() { dnsDone <- e.dnsFacts(ctx, rep) }()
	}
	hist, status, cerr := e.readHistory(ctx, req.SkipCache, rep)
	res.CacheStatus, res.CacheErr = status, cerr
	if dnsDone != nil {
		dnsFacts = <-dnsDone
	}

	if err := e.acquire(ctx); err != nil {
		return nil, err
	}
	held := true
	defer func() {
		if held { // a panic below: the slot goes back all the same
			e.release()
		}
	}()

	for i := range rep.Recipients {
		rc := &rep.Recipients[i]
		out := &res.Recipients[i]
		out.Facts = rc
		var in classify.Input
		if hist != nil {
			if s, ok := hist[strings.ToLower(rc.Domain())]; ok {
				out.History = &s
				in.History = toHistory(s)
			}
			if m := hostDomain(rc); m != "" {
				if s, ok := hist[m]; ok {
					in.Host = toHistory(s)
				}
			}
		}
		if dnsFacts != nil {
			in.DNS = dnsFacts[i]
		}
		if i == 0 {
			in.Evidence = evidence
		}
		out.Verdict = classify.ClassifyWith(rep, rc, in)
		var room []byte
		if i == 0 && res.mem != nil {
			room = res.mem.text[:] // cleared by Release: a view kept past it reads zeros
		}
		explain.ExplainIntoRoom(&out.Explanation, room, out.Verdict, rep, rc, req.Audience, req.Language)
	}

	if req.Check != nil {
		if err := req.Check(res); err != nil {
			return nil, fmt.Errorf("bounce: result refused: %w", err)
		}
	}
	held = false
	e.release() // the write below may wait on the store
	if res.CacheStatus == CacheHit || res.CacheStatus == CacheMiss {
		if err := e.record(ctx, res); err != nil {
			res.CacheStatus, res.CacheErr = CacheUnavailable, err
		}
	}
	return res, nil
}

// acquire takes a CPU slot (MaxParallel), waiting as long as ctx allows.
func (e *Engine) acquire(ctx context.Context) error {
	if e.slots == nil {
		return nil
	}
	select {
	case e.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case e.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Engine) release() {
	if e.slots != nil {
		<-e.slots
	}
}

// newResult returns the Result for rep with a Recipient for each of its
// recipients, and room for the evidence of the first recipient's verdict
// (classify.Input.Evidence) and the steps and texts of its explanation
// (explain.ExplainIntoRoom): in m when there is one recipient (the usual
// bounce), else in one allocation. m, when not nil, holds rep (Parse's);
// the Result then carries it for Release.
func newResult(source string, rep *dsn.Report, m *msgMem) (*Result, []classify.Evidence) {
	if len(rep.Recipients) == 1 {
		var r *resultMem
		if m != nil {
			r = &m.resultMem
		} else {
			r = new(resultMem) // a Result of Classify
		}
		r.res = Result{Source: source, Report: rep, Recipients: r.one[:], mem: m}
		r.one[0].Explanation.Steps = r.steps[:0] // explain.ExplainInto's room
		return &r.res, r.ev[:0]
	}
	return &Result{Source: source, Report: rep, Recipients: make([]Recipient, len(rep.Recipients)), mem: m}, nil
}

// stepsRoom is how many steps of an explanation newResult keeps room for:
// the catalogs' texts have two to five.
const stepsRoom = 6

// readHistory reads the history of rep's recipient domains and rejecting
// hosts' domains in one round trip, bounded by the cache timeout.
func (e *Engine) readHistory(ctx context.Context, skip bool, rep *dsn.Report) (map[string]domaincache.Summary, CacheStatus, error) {
	switch {
	case e.cfg.Store == nil:
		return nil, CacheDisabled, nil
	case skip:
		return nil, CacheSkipped, nil
	}
	domains := slices.Concat(recipientDomains(rep), hostDomains(rep))
	if len(domains) == 0 {
		return nil, CacheMiss, nil
	}
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CacheTimeout)
	defer cancel()
	hist, err := e.cfg.Store.Get(cctx, domains)
	if err != nil {
		return nil, CacheUnavailable, err
	}
	if len(hist) > 0 {
		return hist, CacheHit, nil
	}
	return hist, CacheMiss, nil
}

// record writes the verdicts of failed and delayed recipients in one round trip.
func (e *Engine) record(ctx context.Context, res *Result) error {
	obs := observations(res, e.cfg.Now())
	if len(obs) == 0 {
		return nil
	}
	if e.cfg.Writer != nil {
		return e.cfg.Writer.Add(obs...)
	}
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CacheTimeout)
	defer cancel()
	return e.cfg.Store.Record(cctx, obs)
}

// observations turns a result into what the domain memory keeps: one per
// failed or delayed recipient with a domain. Its strings may be views of
// the Result's memory: the stores and the batcher keep copies
// (domaincache's TestMemoryOwnsItsStrings, TestBatcherOwnsItsStrings), as
// Release needs.
func observations(res *Result, now time.Time) []domaincache.Observation {
	rep := res.Report
	if rep.Kind != dsn.KindBounce && rep.Kind != dsn.KindDelay {
		return nil
	}
	sender := normalizeSender(rep)
	var obs []domaincache.Observation
	for _, r := range res.Recipients {
		if r.Facts.Action != dsn.ActionFailed && r.Facts.Action != dsn.ActionDelayed {
			continue
		}
		d := strings.ToLower(r.Facts.Domain())
		if d == "" {
			continue
		}
		o := domaincache.Observation{
			Domain: d,
			Reason: string(r.Verdict.Reason),
			Side:   string(r.Verdict.Side),
			Status: statusOf(r),
			Sender: sender,
			Hard:   r.Verdict.Hard,
			At:     now,
		}
		obs = append(obs, o)
		// The rejecting MTA's registered domain is remembered too when it
		// differs, with the recipient domain it refused, so that a host
		// serving many broken domains, or a smarthost refusing one sender
		// for every domain, shows up (issue 11 item 4).
		if m := hostDomain(r.Facts); m != "" {
			o.Domain = m
			o.RecipientDomain = d
			obs = append(obs, o)
		}
	}
	return obs
}

// normalizeSender is who sent the original: its From, or the bounce's To.
func normalizeSender(rep *dsn.Report) string {
	for _, s := range []string{rep.Original.From, rep.Original.ReturnPath, rep.To} {
		if a := addrOf(s); a != "" {
			return a
		}
	}
	return ""
}

// addrOf returns the lower-case addr-spec inside a header value.
func addrOf(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

// hostDomain is the registered domain of the host that refused rc, "" when
// unknown or the same as the recipient's.
func hostDomain(rc *dsn.Recipient) string {
	m := rc.RemoteMTADomain
	if m == "" || m == dsn.RegisteredDomain(strings.ToLower(rc.Domain())) {
		return ""
	}
	return m
}

// hostDomains are the distinct hostDomain of rep's recipients.
func hostDomains(rep *dsn.Report) []string {
	var out []string
	for i := range rep.Recipients {
		if m := hostDomain(&rep.Recipients[i]); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func recipientDomains(rep *dsn.Report) []string {
	var out []string
	for i := range rep.Recipients {
		d := strings.ToLower(rep.Recipients[i].Domain())
		if d == "" {
			continue
		}
		dup := false
		for _, o := range out {
			if o == d {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, d)
		}
	}
	return out
}

func toHistory(s domaincache.Summary) *classify.History {
	h := s.History()
	return &h
}

// statusOf is the status remembered for a recipient: the one its verdict
// was decided on, else the report's.
func statusOf(r Recipient) string {
	if !r.Verdict.Status.IsZero() {
		return r.Verdict.Status.String()
	}
	return r.Facts.Status.String()
}

// IsLimit reports whether err is a crossed input limit (size, depth, parts,
// recipients), as opposed to unreadable input.
func IsLimit(err error) bool {
	return errors.Is(err, dsn.ErrTooLarge) || errors.Is(err, dsn.ErrTooDeep) ||
		errors.Is(err, dsn.ErrTooManyParts) || errors.Is(err, dsn.ErrTooManyRecipients)
}
