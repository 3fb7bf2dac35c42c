package gather_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/asyncutils-go/asyncutils/gather"
)

func ExampleAll() {
	square := func(x int) gather.Task[int] {
		return func(context.Context) (int, error) { return x * x, nil }
	}
	// At most 2 tasks run at once; the values are in input order.
	out, err := gather.All(context.Background(), 2, square(1), square(2), square(3), square(4))
	fmt.Println(out, err)
	// Output: [1 4 9 16] <nil>
}

func ExampleAll_firstError() {
	errNotFound := errors.New("not found")
	tasks := []gather.Task[string]{
		func(context.Context) (string, error) { return "a", nil },
		func(context.Context) (string, error) { return "", errNotFound },
		func(ctx context.Context) (string, error) {
			<-ctx.Done() // cancelled by the failure of task 1
			return "", context.Cause(ctx)
		},
	}
	out, err := gather.All(context.Background(), 0, tasks...)
	var te *gather.TaskError
	fmt.Printf("%q %v\n", out, err) // the finished value is kept
	fmt.Println(errors.Is(err, errNotFound), errors.As(err, &te) && te.Index == 1)
	// Output:
	// ["a" "" ""] gather: task 1: not found
	// true true
}

// On failure, Map keeps the value of every call that finished: here the
// two pages fetched before the third failed.
func ExampleMap_failure() {
	urls := []string{"/a", "/b", "/missing", "/c"}
	pages, err := gather.Map(context.Background(), 1, urls, func(_ context.Context, url string) (string, error) {
		if url == "/missing" {
			return "", errors.New("404")
		}
		return "page " + url, nil
	})
	fmt.Printf("%q\n%v\n", pages, err)
	// Output:
	// ["page /a" "page /b" "" ""]
	// gather: task 2: 404
}

// MapSettled keeps every element's own outcome: the failures do not cancel
// the others.
func ExampleMapSettled() {
	urls := []string{"/a", "/missing", "/c"}
	for i, r := range gather.MapSettled(context.Background(), 2, urls, func(_ context.Context, url string) (string, error) {
		if url == "/missing" {
			return "", errors.New("404")
		}
		return "page " + url, nil
	}) {
		fmt.Printf("%d %q %v\n", i, r.Value, r.Err)
	}
	// Output:
	// 0 "page /a" <nil>
	// 1 "" 404
	// 2 "page /c" <nil>
}

func ExampleMap() {
	words := []string{"go", "gather", "map"}
	out, err := gather.Map(context.Background(), 8, words, func(_ context.Context, w string) (int, error) {
		return len(w), nil
	})
	fmt.Println(out, err)
	// Output: [2 6 3] <nil>
}

func ExampleSettled() {
	tasks := []gather.Task[int]{
		func(context.Context) (int, error) { return 1, nil },
		func(context.Context) (int, error) { return 0, errors.New("boom") },
		func(context.Context) (int, error) { panic("oops") },
		nil,
	}
	for i, r := range gather.Settled(context.Background(), 2, tasks...) {
		var pe *gather.PanicError
		switch {
		case errors.As(r.Err, &pe):
			fmt.Println(i, "panicked:", pe.Value)
		case r.Err != nil:
			fmt.Println(i, "failed:", r.Err)
		default:
			fmt.Println(i, "value:", r.Value)
		}
	}
	// Output:
	// 0 value: 1
	// 1 failed: boom
	// 2 panicked: oops
	// 3 failed: gather: nil task at index 3
}

func ExampleStream() {
	tasks := make([]gather.Task[string], 5)
	for i := range tasks {
		tasks[i] = func(context.Context) (string, error) { return strings.Repeat("*", i), nil }
	}
	// Results arrive as tasks complete; sort them for a stable output.
	var lines []string
	for i, r := range gather.Stream(context.Background(), 3, tasks...) {
		lines = append(lines, fmt.Sprintf("%d %q %v", i, r.Value, r.Err))
	}
	slices.Sort(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// 0 "" <nil>
	// 1 "*" <nil>
	// 2 "**" <nil>
	// 3 "***" <nil>
	// 4 "****" <nil>
}

func ExampleStream_break() {
	tasks := make([]gather.Task[int], 100)
	for i := range tasks {
		tasks[i] = func(context.Context) (int, error) { return i, nil }
	}
	// Leaving the loop cancels the remaining tasks and waits for the
	// running ones before the loop statement ends.
	got := 0
	for range gather.Stream(context.Background(), 4, tasks...) {
		got++
		if got == 3 {
			break
		}
	}
	fmt.Println(got)
	// Output: 3
}

func ExampleMapSeq() {
	// A sequence that never ends: MapSeq pulls it only as workers free up,
	// and stops pulling at the first failure.
	naturals := func(yield func(int) bool) {
		for i := 0; ; i++ {
			if !yield(i) {
				return
			}
		}
	}
	errTooBig := errors.New("too big")
	_, err := gather.MapSeq(context.Background(), 4, naturals, func(_ context.Context, v int) (int, error) {
		if v == 10 {
			return 0, errTooBig
		}
		return v * 2, nil
	})
	fmt.Println(err)
	// Output: gather: task 10: too big
}

func ExampleAllSeq() {
	tasks := func(yield func(gather.Task[string]) bool) {
		for _, s := range []string{"x", "y", "z"} {
			if !yield(func(context.Context) (string, error) { return strings.ToUpper(s), nil }) {
				return
			}
		}
	}
	out, err := gather.AllSeq(context.Background(), 2, tasks)
	fmt.Println(out, err)
	// Output: [X Y Z] <nil>
}
