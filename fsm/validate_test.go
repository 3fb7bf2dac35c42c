package fsm_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/asyncutils-go/asyncutils/fsm"
)

func TestDefinition_Validate(t *testing.T) {
	nop := func(context.Context, string, string) error { return nil }
	tests := []struct {
		name             string
		setup            func(d *fsm.Definition[string])
		initial          string
		wantUnknown      bool
		wantUnreachable  []string
		wantNeverEntered []string
		wantMsg          string
	}{
		{
			name: "sound: a cycle with handlers, a self-edge entering its own state",
			setup: func(d *fsm.Definition[string]) {
				d.Add("a", "b", nil)
				d.Add("b", "a", nil)
				d.Add("b", "b", nil)
				d.OnEnter("b", nop)
				d.OnExit("a", nop)
			},
			initial: "a",
		},
		{
			name: "an enter handler of a typo",
			setup: func(d *fsm.Definition[string]) {
				d.Add("pending", "paid", nil)
				d.OnEnter("refnded", nop)
			},
			initial:          "pending",
			wantUnreachable:  []string{"refnded"},
			wantNeverEntered: []string{"refnded"},
			wantMsg:          `fsm: definition from "pending": unreachable: "refnded"; enter handlers that never run (no edge enters the state): "refnded"`,
		},
		{
			name: "an island of edges and an exit handler of a typo",
			setup: func(d *fsm.Definition[string]) {
				d.Add("a", "b", nil)
				d.Add("x", "y", nil)
				d.Add("y", "x", nil)
				d.OnExit("c", nop)
				d.OnEnter("y", nop)
			},
			initial:         "a",
			wantUnreachable: []string{"c", "x", "y"},
			wantMsg:         `fsm: definition from "a": unreachable: "c", "x", "y"`,
		},
		{
			name: "the initial state's enter handlers, with no edge back",
			setup: func(d *fsm.Definition[string]) {
				d.Add("a", "b", nil)
				d.OnEnter("a", nop)
			},
			initial:          "a",
			wantNeverEntered: []string{"a"},
		},
		{
			name:             "an unknown initial state",
			setup:            func(d *fsm.Definition[string]) { d.Add("a", "b", nil); d.OnEnter("a", nop) },
			initial:          "A",
			wantUnknown:      true,
			wantUnreachable:  []string{"a", "b"},
			wantNeverEntered: []string{"a"},
			wantMsg:          `fsm: definition from "A": the initial state is unknown; unreachable: "a", "b"; enter handlers that never run (no edge enters the state): "a"`,
		},
		{name: "an empty definition", setup: func(*fsm.Definition[string]) {}, initial: "a", wantUnknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fsm.NewDefinition[string]()
			tt.setup(d)
			err := d.Validate(tt.initial)
			sound := !tt.wantUnknown && tt.wantUnreachable == nil && tt.wantNeverEntered == nil
			if sound {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			ve, ok := errors.AsType[*fsm.ValidationError[string]](err)
			if !ok {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			if ve.Initial != tt.initial || ve.UnknownInitial != tt.wantUnknown ||
				!slices.Equal(ve.Unreachable, tt.wantUnreachable) || !slices.Equal(ve.NeverEntered, tt.wantNeverEntered) {
				t.Errorf("Validate = %+v\nwant unknown %v, unreachable %q, never entered %q", *ve, tt.wantUnknown, tt.wantUnreachable, tt.wantNeverEntered)
			}
			if errors.Is(err, fsm.ErrUnknownState) != tt.wantUnknown {
				t.Errorf("errors.Is(%v, ErrUnknownState) = %v", err, !tt.wantUnknown)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("message\n got %s\nwant %s", err, tt.wantMsg)
			}
		})
	}
}

// A machine of its own validates through its definition.
func TestMachine_DefinitionValidates(t *testing.T) {
	m := fsm.New("idle")
	m.Add("idle", "busy", nil)
	if err := m.Definition().Validate(m.Initial()); err != nil {
		t.Fatal(err)
	}
	m.OnEnter("bussy", func(context.Context, string, string) error { return nil })
	if err := m.Definition().Validate(m.Initial()); err == nil {
		t.Fatal("a typo in OnEnter passed Validate")
	}
}
