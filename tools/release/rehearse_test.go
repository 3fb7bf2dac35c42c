package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// smallRepo lays out a repository with go.work and two modules: a, and b,
// which imports a through a require and a local replace.
func smallRepo(t *testing.T) *Repo {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "go.work"), "go 1.26.0\n\nuse (\n\t./a\n\t./b\n\t./examples\n)\n")
	write(t, filepath.Join(root, "a", "go.mod"), "module example.com/r/a\n\ngo 1.26.0\n")
	write(t, filepath.Join(root, "a", "a.go"), "package a\n\n// A is a value.\nconst A = 1\n")
	write(t, filepath.Join(root, "b", "go.mod"),
		"module example.com/r/b\n\ngo 1.26.0\n\nrequire example.com/r/a v0.1.0\n\nreplace example.com/r/a => ../a\n")
	write(t, filepath.Join(root, "b", "b.go"), "package b\n\nimport \"example.com/r/a\"\n\n// B is a value.\nconst B = a.A + 1\n")
	write(t, filepath.Join(root, "examples", "go.mod"), "module example.com/r/examples\n\ngo 1.26.0\n")
	repo, err := LoadRepo(root, []string{"examples"})
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func TestRehearse(t *testing.T) {
	tests := []struct {
		name      string
		table     map[string]consumer
		version   string
		strict    bool
		wantErr   []string
		wantLines []string
	}{
		{
			name: "allowed sets hold what each consumer vendors",
			table: map[string]consumer{
				"a": {Uses: []string{"Missing"}},
				"b": {Uses: []string{"Missing"}, Need: []string{"a"}},
			},
			wantLines: []string{
				"vendor/modules.txt: example.com/r/a v0.1.0",
				"vendor/modules.txt: example.com/r/b v0.1.0",
				"rehearsal passed: 2 consumers (WARNING: only imported, API not there yet: a, b)",
			},
		},
		{
			name: "packed at another version, with the sibling require raised",
			table: map[string]consumer{
				"a": {Uses: []string{"Missing"}},
				"b": {Uses: []string{"Missing"}, May: []string{"a"}},
			},
			version:   "v0.4.0",
			wantLines: []string{"vendor/modules.txt: example.com/r/a v0.4.0"},
		},
		{
			name: "a module outside the allowed set is named",
			table: map[string]consumer{
				"a": {Uses: []string{"Missing"}},
				"b": {Uses: []string{"Missing"}},
			},
			wantErr: []string{
				"b consumer: go list -deps: unexpected module example.com/r/a in the build",
				"vendor/modules.txt: unexpected module example.com/r/a; b may bring only example.com/r/b",
			},
		},
		{
			name: "a module without a consumer program",
			table: map[string]consumer{
				"a": {Uses: []string{"Missing"}},
			},
			wantErr: []string{"b consumer: no consumer program for b"},
		},
		{
			name: "strict: a missing API fails",
			table: map[string]consumer{
				"a": {Program: "a.go.tmpl", Uses: []string{"A", "Missing"}},
				"b": {Uses: []string{"B"}},
			},
			strict:  true,
			wantErr: []string{"a consumer: a lacks Missing, which a.go.tmpl uses"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := smallRepo(t)
			var out strings.Builder
			cfg := RehearseConfig{Version: "v0.1.0", Strict: tt.strict, Jobs: 2, Out: &out, Consumers: tt.table}
			if tt.version != "" {
				cfg.Version = tt.version
			}
			err := Rehearse(repo, cfg)
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("Rehearse() error = %v\noutput:\n%s", err, out.String())
			}
			if len(tt.wantErr) > 0 && err == nil {
				t.Fatalf("Rehearse() succeeded, want an error\noutput:\n%s", out.String())
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Rehearse() error = %v\nwant it to contain %q", err, w)
				}
			}
			for _, w := range tt.wantLines {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output =\n%s\nwant it to contain %q", out.String(), w)
				}
			}
		})
	}
}

// TestRehearse_GoleakInBuild proves the rule that goleak never reaches a
// consumer's build, even when the allowed set would let it be vendored: a
// module that imports goleak outside its tests fails the rehearsal.
func TestRehearse_GoleakInBuild(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "go.work"), "go 1.26.0\n\nuse ./leaky\n")
	write(t, filepath.Join(root, "leaky", "go.mod"),
		"module example.com/r/leaky\n\ngo 1.26.0\n\nrequire go.uber.org/goleak v1.3.0\n")
	write(t, filepath.Join(root, "leaky", "leaky.go"), "package leaky\n\nimport _ \"go.uber.org/goleak\"\n")
	repo, err := LoadRepo(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err = Rehearse(repo, RehearseConfig{
		Version:   "v0.1.0",
		Jobs:      1,
		Out:       &out,
		Consumers: map[string]consumer{"leaky": {Uses: []string{"Missing"}, May: []string{goleakModule}}},
	})
	want := "leaky consumer: go.uber.org/goleak is in the build (go list -deps): it must stay a test-only dependency"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Rehearse() error = %v, want %q\noutput:\n%s", err, want, out.String())
	}
}
