package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/asyncutils-go/asyncutils/fsm"
)

func init() { register(30, "fsm", tourFSM) }

// tourFSM moves a service through its life cycle (stopped -> starting ->
// running -> stopping -> stopped) against the upstream: entering "starting"
// loads the service's config from it, and the edge to "running" is guarded
// by a health check. It checks the definition, then shows a transition
// refused for want of an edge, one refused by the guard, a typo refused as
// an unknown state (each refusal a *fsm.RefusedError saying why), and a
// failing enter handler, after which the state stays "starting" (nothing is
// rolled back), then prints the transitions an observer saw and the machine
// as a Mermaid diagram.
func tourFSM(ctx context.Context, w io.Writer, _ config) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := newUpstream(5*time.Millisecond, 0)
	defer u.Close()

	type state string
	const (
		stopped  state = "stopped"
		starting state = "starting"
		running  state = "running"
		stopping state = "stopping"
	)
	m := fsm.New(stopped)
	m.Add(stopped, starting, nil)
	m.Add(starting, stopped, nil) // give up a start
	m.Add(starting, running, func(ctx context.Context, _, _ state) (bool, error) {
		_, err := u.fetch(ctx, "health")
		if errors.Is(err, errUnavailable) {
			return false, nil // unhealthy: refuse, it is not an error of the machine
		}
		return err == nil, err
	})
	m.Add(running, stopping, nil)
	m.Add(stopping, stopped, nil)
	m.OnEnter(starting, func(ctx context.Context, _, _ state) error {
		v, err := u.fetch(ctx, "config")
		if err != nil {
			return fmt.Errorf("load config: %w", err)
		}
		fmt.Fprintf(w, "    (enter handler of starting: loaded %q)\n", v)
		return nil
	})
	var observed []string
	m.OnTransition(func(from, to state) { observed = append(observed, string(from)+" -> "+string(to)) })
	if err := m.Definition().Validate(stopped); err != nil {
		return err
	}
	fmt.Fprintln(w, "the life cycle passes Validate: every state reachable, every enter handler can run")

	// step makes one transition, prints it, and checks its outcome against
	// what the tour expects: a refusal for that reason, or else wantOK and
	// an error containing wantErr.
	step := func(to state, refusal fsm.Refusal, wantOK bool, wantErr, note string) error {
		from := m.State()
		ok, err := m.Transition(ctx, to)
		var refused *fsm.RefusedError[state]
		switch {
		case errors.As(err, &refused):
			fmt.Fprintf(w, "  %s -> %s: refused (%v), state still %s%s\n", from, to, refused.Reason, m.State(), note)
			if refusal != refused.Reason {
				return fmt.Errorf("transition %s -> %s: %w; want %v", from, to, err, refusal)
			}
			return nil
		case err != nil:
			fmt.Fprintf(w, "  %s -> %s: %t, %v; state now %s%s\n", from, to, ok, err, m.State(), note)
		default:
			fmt.Fprintf(w, "  %s -> %s: ok%s\n", from, to, note)
		}
		if refusal != 0 || ok != wantOK || (err == nil) != (wantErr == "") || (err != nil && !strings.Contains(err.Error(), wantErr)) {
			return fmt.Errorf("transition %s -> %s: got %v, error %q; want %v, error %q, refusal %v", from, to, ok, fmt.Sprint(err), wantOK, wantErr, refusal)
		}
		return nil
	}

	plan := []struct {
		title   string // printed before the step, when set
		fail    string // make the upstream fail this item from here on ("-" stops all failures)
		to      state
		refusal fsm.Refusal
		ok      bool
		wantErr string
		note    string
	}{
		{title: "a start, refused three times on the way:", fail: "health", to: running, refusal: fsm.RefusedNoEdge},
		{to: starting, ok: true},
		{to: running, refusal: fsm.RefusedByConditions, note: " (the health check fails: the guard says no)"},
		{to: "Running", refusal: fsm.RefusedUnknownState, note: " (a typo: a 400, not a 409)"},
		{fail: "-", to: running, ok: true, note: " (healthy now)"},
		{to: stopping, ok: true},
		{to: stopped, ok: true},
		{title: "a start whose enter handler fails (the upstream refuses the config):", fail: "config",
			to: starting, ok: true, wantErr: `enter handler of "starting"`, note: " (nothing rolled back)"},
		{to: stopped, ok: true, note: " (give up)"},
	}
	for _, p := range plan {
		if p.title != "" {
			fmt.Fprintln(w, p.title)
		}
		switch p.fail {
		case "":
		case "-":
			u.failAlways("health", false)
			u.failAlways("config", false)
		default:
			u.failAlways(p.fail, true)
		}
		if err := step(p.to, p.refusal, p.ok, p.wantErr, p.note); err != nil {
			return err
		}
		if p.wantErr != "" && m.State() != p.to {
			return fmt.Errorf("after a failing enter handler the state is %s, want %s", m.State(), p.to)
		}
	}

	fmt.Fprintf(w, "observed %d transitions: %s\n", len(observed), strings.Join(observed, ", "))
	want := []string{
		"stopped -> starting", "starting -> running", "running -> stopping", "stopping -> stopped",
		"stopped -> starting", "starting -> stopped",
	}
	if !slices.Equal(observed, want) {
		return fmt.Errorf("observed %q, want %q", observed, want)
	}
	if m.State() != stopped {
		return fmt.Errorf("the service ended in %s, want stopped", m.State())
	}
	fmt.Fprintf(w, "the machine, as Mermaid:\n%s", m.Mermaid())
	return nil
}
