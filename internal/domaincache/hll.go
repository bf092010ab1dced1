package domaincache

import (
	"math"
	"math/bits"
)

// The in-process distinct-sender count: exact up to senderExactMax senders,
// then a HyperLogLog with 2^hllP one-byte registers (Flajolet et al. 2007)
// read with Ertl's improved estimator ("New cardinality estimation
// algorithms for HyperLogLog sketches", 2017), the estimator Redis uses
// too. Its standard error is 1.04/sqrt(2^hllP) = 1.6 %, and less below a
// few thousand senders, where it behaves like linear counting.
const (
	senderExactMax = 128 // hashes kept exactly: 1 KiB
	hllP           = 12  // 4096 registers: 4 KiB per domain past senderExactMax
	hllM           = 1 << hllP
	hllQ           = 64 - hllP // bits left for the rank
)

// senderSet counts distinct senders. The zero value is empty.
type senderSet struct {
	exact []uint64     // distinct hashes while small
	regs  *[hllM]uint8 // non-nil once the set outgrew exact
}

// hashSender is FNV-1a followed by the murmur3 finaliser, which spreads
// FNV's weak high bits over the whole word. It is deterministic, so counts
// do not change from one process to the next.
func hashSender(s string) uint64 {
	x := uint64(14695981039346656037) // FNV-1a 64 offset basis
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211 // FNV-1a 64 prime
	}
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

func (s *senderSet) add(sender string) {
	h := hashSender(sender)
	if s.regs != nil {
		hllAdd(s.regs, h)
		return
	}
	for _, x := range s.exact {
		if x == h {
			return
		}
	}
	if len(s.exact) < senderExactMax {
		s.exact = append(s.exact, h)
		return
	}
	s.regs = new([hllM]uint8)
	for _, x := range s.exact {
		hllAdd(s.regs, x)
	}
	s.exact = nil
	hllAdd(s.regs, h)
}

func (s *senderSet) count() int64 {
	if s.regs == nil {
		return int64(len(s.exact))
	}
	return int64(math.Round(hllEstimate(s.regs)))
}

// hllAdd sets the register picked by the low hllP bits of h to the rank of
// the rest: the position of its lowest set bit, 1-based. A guard bit at
// hllQ caps the rank at hllQ+1.
func hllAdd(regs *[hllM]uint8, h uint64) {
	idx := h & (hllM - 1)
	w := h>>hllP | 1<<hllQ
	rank := uint8(bits.TrailingZeros64(w) + 1)
	if rank > regs[idx] {
		regs[idx] = rank
	}
}

// hllEstimate is Ertl's estimator over the register histogram (Ertl 2017,
// algorithm 6; Redis hyperloglog.c hllCount).
func hllEstimate(regs *[hllM]uint8) float64 {
	var hist [hllQ + 2]int
	for _, r := range regs {
		hist[r]++
	}
	if hist[0] == hllM {
		return 0
	}
	m := float64(hllM)
	z := m * hllTau((m-float64(hist[hllQ+1]))/m)
	for k := hllQ; k >= 1; k-- {
		z += float64(hist[k])
		z *= 0.5
	}
	z += m * hllSigma(float64(hist[0])/m)
	const alphaInf = 0.5 / math.Ln2
	return alphaInf * m * m / z
}

// hllSigma is Ertl's sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), for x < 1.
func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y := 1.0
	z := x
	for {
		x *= x
		prev := z
		z += x * y
		y += y
		if prev == z {
			return z
		}
	}
}

// hllTau is Ertl's tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3.
func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y := 1.0
	z := 1 - x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		z -= (1 - x) * (1 - x) * y
		if prev == z {
			return z / 3
		}
	}
}
