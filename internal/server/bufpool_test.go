package server

import "testing"

func TestDirtyPoolSizes(t *testing.T) {
	p := newDirtyPool()
	for _, c := range []struct{ n, cap int }{
		{1, 256}, {256, 256}, {257, 512}, {4096, 4096}, {5000, 8192},
		{16384, 16384}, {16385, 32768}, {1 << 20, 1 << 20},
		{1<<20 + 1, 1<<20 + 1}, // over the largest tier: exact, unpooled
	} {
		b := p.Get(c.n)
		if len(*b) != c.n || cap(*b) != c.cap {
			t.Errorf("Get(%d): len %d cap %d, want len %d cap %d", c.n, len(*b), cap(*b), c.n, c.cap)
		}
		p.Put(b)
	}
}

// A buffer put back is handed out again for any length of its tier, with
// the length asked for, and a buffer whose capacity is not a tier's is
// not kept (it would be handed out too short).
func TestDirtyPoolReuse(t *testing.T) {
	p := newDirtyPool()
	put := map[*byte]bool{}
	reused := false
	for range 100 { // sync.Pool may drop an item (always so under -race, 1 in 4)
		c := p.Get(2100)
		if len(*c) != 2100 || cap(*c) != 4096 {
			t.Fatalf("Get(2100): len %d cap %d", len(*c), cap(*c))
		}
		if put[&(*c)[0]] {
			reused = true
			break
		}
		put[&(*c)[0]] = true
		p.Put(c)
	}
	if !reused {
		t.Fatal("no buffer put back was handed out again in 100 tries")
	}
	odd := make([]byte, 100, 3000)
	p.Put(&odd)
	for range 10 {
		c := p.Get(2100)
		if cap(*c) != 4096 {
			t.Fatalf("a buffer of capacity %d came back for Get(2100)", cap(*c))
		}
	}
}
