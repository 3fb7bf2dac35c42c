package gather_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/asyncutils-go/asyncutils/gather"
)

// The caller's ctx ends (with a cause) while task 0 runs, and task 0 then
// fails with its own error; task 1 never starts. By the ctx rule the call
// fails with context.Cause(ctx): a task was not started because ctx ended.
// Every form says so every time (AllSeq and MapSeq used to race: their
// feeder broke out without pulling task 1 when it saw the failure first).
func TestCtxRule_CtxEndsThenTaskFails(t *testing.T) {
	cause := errors.New("caller gave up")
	errOwn := errors.New("own")
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			counts := map[string]int{}
			for range 300 {
				ctx, cancel := context.WithCancelCause(context.Background())
				ts := []gather.Task[int]{
					func(context.Context) (int, error) { cancel(cause); return 0, errOwn },
					func(context.Context) (int, error) { return 1, nil },
				}
				_, err := f.run(ctx, 1, ts)
				switch {
				case errors.Is(err, cause):
					counts["cause"]++
				case errors.Is(err, errOwn):
					counts["own"]++
				default:
					counts[fmt.Sprint(err)]++
				}
				cancel(nil)
			}
			t.Logf("%s: %v", f.name, counts)
			if counts["cause"] != 300 {
				t.Errorf("%s: outcomes %v, want ctx's cause every time (task 1 never started)", f.name, counts)
			}
		})
	}
}
