package main

import (
	"context"
	"sync"
)

// orderedMap runs work over the items next yields on n goroutines and
// hands each result to emit in input order. At most window items are in
// flight, so memory stays flat however many items there are. next returns
// false at the end; an emit error stops the run and is returned.
func orderedMap[T, R any](ctx context.Context, n, window int, next func() (T, bool), work func(T) R, emit func(R) error) error {
	if n < 1 {
		n = 1
	}
	if window < n {
		window = n
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		item T
		out  chan R
	}
	jobs := make(chan job)
	order := make(chan chan R, window)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- work(j.item)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for {
			item, ok := next()
			if !ok {
				return
			}
			out := make(chan R, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{item, out}:
			case <-ctx.Done():
				return
			}
		}
	}()
	for out := range order {
		var r R
		select {
		case r = <-out:
		case <-ctx.Done():
			// The producer may be blocked in next (a followed file); it
			// ends with the process.
			return ctx.Err()
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	wg.Wait()
	return ctx.Err()
}
