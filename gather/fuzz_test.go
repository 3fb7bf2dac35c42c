package gather_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/asyncutils-go/asyncutils/gather"
)

// outcome is what a fuzzed task does, decoded from one input byte.
type outcome uint8

const (
	returnValue outcome = iota
	returnError
	panicValue
	callGoexit
	panicDuringGoexit // a deferred call panics while the task calls Goexit
)

func decode(b byte) outcome {
	switch b % 8 {
	case 4:
		return panicDuringGoexit
	case 5:
		return returnError
	case 6:
		return panicValue
	case 7:
		return callGoexit
	}
	return returnValue
}

// fuzzTasks builds a task per byte of data (at most 200) and a limit from n.
func fuzzTasks(data []byte, n int8) ([]gather.Task[int], int) {
	if len(data) > 200 {
		data = data[:200]
	}
	tasks := make([]gather.Task[int], len(data))
	for i, b := range data {
		tasks[i] = func(context.Context) (int, error) {
			switch decode(b) {
			case returnError:
				return -1, fmt.Errorf("fuzz error %d", i)
			case panicValue:
				panic(i)
			case callGoexit:
				runtimeGoexit()
			case panicDuringGoexit:
				defer func() { panic(i) }()
				runtimeGoexit()
			}
			return int(b), nil
		}
	}
	return tasks, int(n % 12) // -11..11: negative is no limit, 0 the default
}

// modelCheck reports whether err is what the sequential model says task i
// with byte b reports when it fails.
func modelCheck(i int, b byte, err error) error {
	var pe *gather.PanicError
	var te *gather.TaskError
	switch decode(b) {
	case returnError:
		if err == nil || !strings.HasSuffix(err.Error(), fmt.Sprintf("fuzz error %d", i)) {
			return fmt.Errorf("task %d: err = %w, want its returned error", i, err)
		}
	case panicValue:
		if !errors.As(err, &pe) || pe.Value != i {
			return fmt.Errorf("task %d: err = %w, want a panic with %d", i, err, i)
		}
	case callGoexit, panicDuringGoexit:
		if !errors.Is(err, gather.ErrGoexit) || !errors.As(err, &te) || te.Index != i {
			return fmt.Errorf("task %d: err = %w, want a Goexit naming %d", i, err, i)
		}
	default:
		if err != nil {
			return fmt.Errorf("task %d: err = %w, want none", i, err)
		}
	}
	return nil
}

var fuzzSeeds = []struct {
	data []byte
	n    int8
}{
	{nil, 0},
	{[]byte{0, 1, 2, 3, 4}, 2},
	{[]byte{5}, 1},
	{[]byte{0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0}, 3},
	{[]byte{7, 0, 7, 0, 7, 0, 7}, 2},
	{[]byte{1, 2, 3, 5, 6, 7, 1, 2, 3, 5, 6, 7}, -1},
	{[]byte{4, 0, 4, 0, 4}, 1},
	{[]byte("a longer input with several kinds of outcome in it"), 0},
	{make([]byte, 150), 8},
}

// FuzzSettled checks Settled against a sequential model: every slot holds
// exactly what its task did.
func FuzzSettled(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.data, s.n)
	}
	f.Fuzz(func(t *testing.T, data []byte, n int8) {
		tasks, limit := fuzzTasks(data, n)
		res := gather.Settled(context.Background(), limit, tasks...)
		if len(res) != len(tasks) {
			t.Fatalf("%d results for %d tasks", len(res), len(tasks))
		}
		for i, r := range res {
			if err := modelCheck(i, data[i], r.Err); err != nil {
				t.Fatal(err)
			}
			if decode(data[i]) == returnValue && r.Value != int(data[i]) {
				t.Fatalf("slot %d = %d, want %d", i, r.Value, data[i])
			}
		}
	})
}

// FuzzAll checks All against a sequential model: with no failing task the
// values are in input order; otherwise All returns the failure of one of
// the failing tasks, naming its index, and a slot per task holding the value
// of each task that succeeded and the zero value elsewhere.
func FuzzAll(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.data, s.n)
	}
	f.Fuzz(func(t *testing.T, data []byte, n int8) {
		tasks, limit := fuzzTasks(data, n)
		tasks, ok := tracked(tasks)
		out, err := gather.All(context.Background(), limit, tasks...)
		failing := map[int]bool{}
		for i := range tasks {
			if decode(data[i]) != returnValue {
				failing[i] = true
			}
		}
		if len(failing) == 0 {
			if err != nil || len(out) != len(tasks) || out == nil {
				t.Fatalf("All = %d values, %v; want %d values", len(out), err, len(tasks))
			}
			for i, v := range out {
				if v != int(data[i]) {
					t.Fatalf("out[%d] = %d, want %d", i, v, data[i])
				}
			}
			return
		}
		var te *gather.TaskError
		if len(out) != len(tasks) || !errors.As(err, &te) || !failing[te.Index] {
			t.Fatalf("All = %v, %v; want %d slots and the failure of one of %v", out, err, len(tasks), failing)
		}
		if i := partialMismatch(out, ok, func(i int) int { return int(data[i]) }); i >= 0 {
			t.Fatalf("out[%d] = %d: not the value of a task that succeeded, nor zero", i, out[i])
		}
		if e := modelCheck(te.Index, data[te.Index], err); e != nil {
			t.Fatal(e)
		}
	})
}

// FuzzStream checks Stream against the same model: every index is yielded
// exactly once with what its task did.
func FuzzStream(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.data, s.n)
	}
	f.Fuzz(func(t *testing.T, data []byte, n int8) {
		tasks, limit := fuzzTasks(data, n)
		seen := make([]bool, len(tasks))
		for i, r := range gather.Stream(context.Background(), limit, tasks...) {
			if seen[i] {
				t.Fatalf("index %d yielded twice", i)
			}
			seen[i] = true
			if err := modelCheck(i, data[i], r.Err); err != nil {
				t.Fatal(err)
			}
			if decode(data[i]) == returnValue && r.Value != int(data[i]) {
				t.Fatalf("index %d = %d, want %d", i, r.Value, data[i])
			}
		}
		for i, s := range seen {
			if !s {
				t.Fatalf("index %d never yielded", i)
			}
		}
	})
}

// FuzzAllSeq checks AllSeq, whose engine is not All's, against the model of
// FuzzAll: the values in input order, or the failure of a failing task with
// a slot per task pulled (at least up to the failing one), each holding the
// value of a task that succeeded or zero.
func FuzzAllSeq(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.data, s.n)
	}
	f.Fuzz(func(t *testing.T, data []byte, n int8) {
		tasks, limit := fuzzTasks(data, n)
		tasks, ok := tracked(tasks)
		out, err := gather.AllSeq(context.Background(), limit, slices.Values(tasks))
		if !slices.ContainsFunc(data[:len(tasks)], func(b byte) bool { return decode(b) != returnValue }) {
			if err != nil || len(out) != len(tasks) || out == nil {
				t.Fatalf("AllSeq = %d values, %v; want %d values", len(out), err, len(tasks))
			}
			for i, v := range out {
				if v != int(data[i]) {
					t.Fatalf("out[%d] = %d, want %d", i, v, data[i])
				}
			}
			return
		}
		var te *gather.TaskError
		if !errors.As(err, &te) || decode(data[te.Index]) == returnValue || len(out) <= te.Index || len(out) > len(tasks) {
			t.Fatalf("AllSeq = %v, %v; want the failure of a failing task and its slot", out, err)
		}
		if i := partialMismatch(out, ok, func(i int) int { return int(data[i]) }); i >= 0 {
			t.Fatalf("out[%d] = %d: not the value of a task that succeeded, nor zero", i, out[i])
		}
		if e := modelCheck(te.Index, data[te.Index], err); e != nil {
			t.Fatal(e)
		}
	})
}
