package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestTour runs the whole tour in a short form and checks that every
// registered section ran and that the tour passed.
func TestTour(t *testing.T) {
	cfg := config{items: 24, duration: 300 * time.Millisecond, readers: 4}
	var out bytes.Buffer
	if err := run(context.Background(), &out, cfg); err != nil {
		t.Fatalf("tour failed: %v\n%s", err, out.String())
	}
	want := []string{"refused: defaults:", "tour: all sections passed"}
	for _, s := range sections {
		want = append(want, "== "+s.name+" ==")
	}
	for _, w := range want {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
}

func TestUpstream(t *testing.T) {
	u := newUpstream(time.Millisecond, 0)
	defer u.Close()
	got, err := u.fetch(context.Background(), "a")
	if err != nil || got != "value of a #1" {
		t.Fatalf("fetch = %q, %v", got, err)
	}
	u.failAlways("a", true)
	if _, err := u.fetch(context.Background(), "a"); err == nil {
		t.Fatal("fetch of a failing item succeeded")
	}
	if u.calls.Load() != 2 || u.failures.Load() != 1 || u.peak.Load() != 1 {
		t.Fatalf("calls=%d failures=%d peak=%d", u.calls.Load(), u.failures.Load(), u.peak.Load())
	}
}
