package gather_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/asyncutils-go/asyncutils/gather"
)

// TestCalls_ConcurrentSafe runs every form from many goroutines at once
// over shared tasks; each call must get its own, complete results.
func TestCalls_ConcurrentSafe(t *testing.T) {
	tasks := make([]gather.Task[int], 300)
	in := make([]int, len(tasks))
	for i := range tasks {
		in[i] = i
		tasks[i] = func(ctx context.Context) (int, error) {
			if i == 250 && ctx.Value(failKey{}) != nil {
				return 0, errBoom
			}
			return i, nil
		}
	}
	failing := context.WithValue(context.Background(), failKey{}, true)
	var wg sync.WaitGroup
	for g := range 18 {
		wg.Go(func() {
			ctx := context.Background()
			switch g % 6 {
			case 0:
				out, err := gather.All(ctx, 4, tasks...)
				if err != nil || len(out) != len(tasks) || out[299] != 299 {
					t.Errorf("All: %d values, %v", len(out), err)
				}
			case 1:
				out, err := gather.Map(ctx, -1, in, func(ctx context.Context, v int) (int, error) { return tasks[v](ctx) })
				if err != nil || out[123] != 123 {
					t.Errorf("Map: %v", err)
				}
			case 2:
				for i, r := range gather.Settled(failing, 3, tasks...) {
					if (i == 250) != (r.Err != nil) {
						t.Errorf("Settled slot %d: %v", i, r.Err)
					}
				}
			case 3:
				count := 0
				for range gather.Stream(ctx, 5, tasks...) {
					count++
				}
				if count != len(tasks) {
					t.Errorf("Stream: %d results", count)
				}
			case 4:
				if _, err := gather.All(failing, 0, tasks...); !errors.Is(err, errBoom) {
					t.Errorf("All failing: %v", err)
				}
			case 5:
				out, err := gather.AllSeq(ctx, 3, slices.Values(tasks))
				if err != nil || len(out) != len(tasks) || out[200] != 200 {
					t.Errorf("AllSeq: %d values, %v", len(out), err)
				}
				if _, err := gather.MapSeq(failing, -1, slices.Values(in), func(ctx context.Context, v int) (int, error) { return tasks[v](ctx) }); !errors.Is(err, errBoom) {
					t.Errorf("MapSeq failing: %v", err)
				}
			}
		})
	}
	wg.Wait()
}

type failKey struct{}
