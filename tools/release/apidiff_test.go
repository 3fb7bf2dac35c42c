package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const apiV1 = `package m

// F is the API before the change.
func F() int { return 1 }

// T is a type of the API.
type T struct{ A int }
`

// tagRepo makes a throwaway git repository holding module example.com/r/m
// in folder m with apiV1, tagged m/<version>, and returns its root.
func tagRepo(t *testing.T, version string) string {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "m", "go.mod"), "module example.com/r/m\n\ngo 1.26.0\n")
	write(t, filepath.Join(root, "m", "m.go"), apiV1)
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "."},
		{"-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "m " + version},
		{"tag", "m/" + version},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return root
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCompat(t *testing.T) {
	tests := []struct {
		name             string
		tag              string
		change           string // the new m.go; "" leaves it as tagged
		wantIncompatible bool
		wantFail         bool
		wantText         string
	}{
		{
			name:     "unchanged",
			tag:      "v1.0.0",
			wantText: "0 incompatible, 0 compatible changes: ok",
		},
		{
			name:     "compatible addition at v1",
			tag:      "v1.0.0",
			change:   apiV1 + "\n// G is new.\nfunc G() {}\n",
			wantText: "0 incompatible, 1 compatible changes: ok",
		},
		{
			name:             "incompatible change at v1 fails",
			tag:              "v1.2.0",
			change:           strings.Replace(apiV1, "func F() int { return 1 }", "func F() string { return \"\" }", 1),
			wantIncompatible: true,
			wantFail:         true,
			wantText:         "FAILED",
		},
		{
			name:             "incompatible removal at v1 fails",
			tag:              "v1.0.0",
			change:           strings.Replace(apiV1, "type T struct{ A int }", "type T struct{}", 1),
			wantIncompatible: true,
			wantFail:         true,
			wantText:         "INCOMPATIBLE",
		},
		{
			name:             "incompatible change below v1 is reported, not failed",
			tag:              "v0.3.0",
			change:           strings.Replace(apiV1, "func F() int { return 1 }", "func F() string { return \"\" }", 1),
			wantIncompatible: true,
			wantText:         "reported, not failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tagRepo(t, tt.tag)
			if tt.change != "" {
				write(t, filepath.Join(root, "m", "m.go"), tt.change)
			}
			m := &Module{Dir: "m", Path: "example.com/r/m"}
			tags, err := RepoTags(root, []string{"m"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := CheckCompat(root, m, tags)
			if err != nil {
				t.Fatal(err)
			}
			if res.Previous != tt.tag {
				t.Errorf("Previous = %q, want %q", res.Previous, tt.tag)
			}
			if got := res.Incompatible() > 0; got != tt.wantIncompatible {
				t.Errorf("incompatible = %v, want %v: %+v", got, tt.wantIncompatible, res.Report.Changes)
			}
			if res.Fails() != tt.wantFail {
				t.Errorf("Fails() = %v, want %v", res.Fails(), tt.wantFail)
			}
			var b strings.Builder
			res.Print(&b)
			if !strings.Contains(b.String(), tt.wantText) {
				t.Errorf("Print() =\n%s\nwant it to contain %q", b.String(), tt.wantText)
			}
		})
	}
}

func TestCheckCompat_NoPreviousTag(t *testing.T) {
	res, err := CheckCompat(t.TempDir(), &Module{Dir: "m", Path: "example.com/r/m"}, Tags{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	res.Print(&b)
	if res.Fails() || b.String() != "m: no previous tag, skipped\n" {
		t.Errorf("Fails() = %v, Print() = %q", res.Fails(), b.String())
	}
}

func TestInternalTo(t *testing.T) {
	tests := []struct {
		mod, pkg string
		want     bool
	}{
		{"example.com/r/internal", "example.com/r/internal", false},
		{"example.com/r/internal", "example.com/r/internal/timing", false},
		{"example.com/r/cache", "example.com/r/cache/internal/ring", true},
		{"example.com/r/cache", "example.com/r/cache", false},
	}
	for _, tt := range tests {
		if got := internalTo(tt.mod, tt.pkg); got != tt.want {
			t.Errorf("internalTo(%q, %q) = %v, want %v", tt.mod, tt.pkg, got, tt.want)
		}
	}
}
