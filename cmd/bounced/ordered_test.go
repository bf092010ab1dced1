package main

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOrderedMapKeepsOrder(t *testing.T) {
	i := 0
	next := func() (int, bool) { i++; return i, i <= 1000 }
	var got []int
	err := orderedMap(context.Background(), 4, 16, next, func(v int) int {
		if v%7 == 0 {
			time.Sleep(time.Millisecond) // finish out of order
		}
		return v * 2
	}, func(r int) error { got = append(got, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 {
		t.Fatalf("%d results, want 1000", len(got))
	}
	for k, r := range got {
		if r != (k+1)*2 {
			t.Fatalf("result %d = %d, want %d (input order)", k, r, (k+1)*2)
		}
	}
}

func TestOrderedMapStopsOnEmitError(t *testing.T) {
	boom := errors.New("boom")
	i := 0
	next := func() (int, bool) { i++; return i, true } // endless
	n := 0
	err := orderedMap(context.Background(), 2, 4, next, func(v int) int { return v },
		func(int) error {
			n++
			if n == 10 {
				return boom
			}
			return nil
		})
	if !errors.Is(err, boom) || n != 10 {
		t.Errorf("err = %v after %d, want boom after 10", err, n)
	}
}
