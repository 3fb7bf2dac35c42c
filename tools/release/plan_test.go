package main

import (
	"os"
	"strings"
	"testing"
)

// fakeSources serves a changelog with one unreleased entry for every module,
// except those listed as empty.
type fakeSources struct{ empty map[string]bool }

func (f fakeSources) Changelog(dir string) ([]byte, error) {
	if f.empty[dir] {
		return []byte("# Changelog\n\n## [Unreleased]\n"), nil
	}
	if dir == "missing" {
		return nil, os.ErrNotExist
	}
	return []byte("# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Something.\n"), nil
}

func TestMakePlan(t *testing.T) {
	tests := []struct {
		name      string
		tags      []string
		want      map[string]string
		empty     map[string]bool
		wantOrder string   // "dir@version" in order
		wantBumps []string // "dir: path from -> to"
		wantNotes []string // parts of notes
		wantErr   []string // parts of the error
	}{
		{
			name:      "first release of everything at v0.1.0",
			want:      all("v0.1.0"),
			wantOrder: "defaults@v0.1.0 internal@v0.1.0 accumulate@v0.1.0 cache@v0.1.0 fsm@v0.1.0 gather@v0.1.0",
		},
		{
			name:      "one module whose requires are tagged",
			tags:      []string{"internal/v0.1.0", "defaults/v0.1.0", "cache/v0.1.0"},
			want:      map[string]string{"cache": "v0.2.0"},
			wantOrder: "cache@v0.2.0",
		},
		{
			name:    "one module whose requires are not tagged",
			want:    map[string]string{"cache": "v0.1.0"},
			wantErr: []string{"cache requires defaults v0.1.0, which has no tag defaults/v0.1.0", "cache requires internal v0.1.0, which has no tag internal/v0.1.0"},
		},
		{
			name:      "a new internal raises the requires of the modules released with it",
			tags:      []string{"internal/v0.1.0", "defaults/v0.1.0", "cache/v0.1.0", "fsm/v0.1.0", "gather/v0.1.0", "accumulate/v0.1.0"},
			want:      map[string]string{"internal": "v0.2.0", "cache": "v0.1.1", "gather": "v0.2.0"},
			wantOrder: "internal@v0.2.0 cache@v0.1.1 gather@v0.2.0",
			wantBumps: []string{
				"cache: github.com/asyncutils-go/asyncutils/internal v0.1.0 -> v0.2.0",
				"gather: github.com/asyncutils-go/asyncutils/internal v0.1.0 -> v0.2.0",
			},
			wantNotes: []string{"accumulate is not in this release and keeps requiring internal v0.1.0", "fsm is not in this release"},
		},
		{
			name:    "bad versions are all reported",
			tags:    []string{"cache/v0.3.0", "fsm/v0.1.0"},
			want:    map[string]string{"cache": "v0.2.0", "fsm": "v0.1.0", "gather": "1.0", "accumulate": "v2.0.0", "nope": "v0.1.0"},
			wantErr: []string{"cache: v0.2.0 is not above the latest tag cache/v0.3.0", "fsm: tag fsm/v0.1.0 exists already", `gather: "1.0" is not a version`, "accumulate: ", "nope: not a released module"},
		},
		{
			name:    "a module with nothing unreleased",
			want:    all("v0.1.0"),
			empty:   map[string]bool{"fsm": true},
			wantErr: []string{"fsm/CHANGELOG.md: nothing under ## [Unreleased]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, err := NewRepo(layout())
			if err != nil {
				t.Fatal(err)
			}
			tags := ParseTags(tt.tags, repo.Dirs())
			plan, err := MakePlan(repo, tags, tt.want, "2026-01-02", fakeSources{tt.empty})
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatal("MakePlan() succeeded, want an error")
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("MakePlan() error = %v\nwant it to contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var order, bumps []string
			for _, s := range plan.Steps {
				order = append(order, s.Module.Dir+"@"+s.Version)
				for _, b := range s.Bumps {
					bumps = append(bumps, s.Module.Dir+": "+b.Path+" "+b.From+" -> "+b.To)
					if !strings.Contains(string(s.GoMod), b.Path+" "+b.To) {
						t.Errorf("%s: new go.mod lacks %s %s:\n%s", s.Module.Dir, b.Path, b.To, s.GoMod)
					}
				}
				if len(s.Bumps) == 0 && s.GoMod != nil {
					t.Errorf("%s: go.mod rewritten without a bump", s.Module.Dir)
				}
				wantHeading := "## [Unreleased]\n\n## [" + strings.TrimPrefix(s.Version, "v") + "] - 2026-01-02\n"
				if !strings.Contains(string(s.Changelog), wantHeading) {
					t.Errorf("%s: changelog not moved:\n%s", s.Module.Dir, s.Changelog)
				}
				if s.Tag() != s.Module.Dir+"/"+s.Version {
					t.Errorf("Tag() = %s", s.Tag())
				}
			}
			if got := strings.Join(order, " "); got != tt.wantOrder {
				t.Errorf("order = %s, want %s", got, tt.wantOrder)
			}
			if got, want := strings.Join(bumps, "\n"), strings.Join(tt.wantBumps, "\n"); got != want {
				t.Errorf("bumps =\n%s\nwant\n%s", got, want)
			}
			notes := strings.Join(plan.Notes, "\n")
			for _, w := range tt.wantNotes {
				if !strings.Contains(notes, w) {
					t.Errorf("notes =\n%s\nwant them to contain %q", notes, w)
				}
			}
			var b strings.Builder
			plan.Print(&b)
			if !strings.Contains(b.String(), "requires: every require") {
				t.Errorf("Print() lacks the require check line:\n%s", b.String())
			}
		})
	}
}

func all(v string) map[string]string {
	return map[string]string{"internal": v, "defaults": v, "gather": v, "cache": v, "fsm": v, "accumulate": v}
}

func TestNextVersion(t *testing.T) {
	tests := []struct{ latest, bump, want string }{
		{"", "minor", "v0.1.0"},
		{"", "patch", "v0.1.0"},
		{"", "v0.3.0", "v0.3.0"},
		{"v0.1.0", "patch", "v0.1.1"},
		{"v0.1.7", "minor", "v0.2.0"},
		{"v1.4.2", "major", "v2.0.0"},
		{"v1.0.0-rc.1", "patch", "v1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.latest+"+"+tt.bump, func(t *testing.T) {
			got, err := NextVersion(tt.latest, tt.bump)
			if err != nil || got != tt.want {
				t.Errorf("NextVersion(%q, %q) = %q, %v; want %q", tt.latest, tt.bump, got, err, tt.want)
			}
		})
	}
}

func TestParseTags(t *testing.T) {
	tags := ParseTags([]string{"cache/v0.2.0", "cache/v0.10.0", "cache/v0.9.1", "cache/v1", "v1.0.0", "bench/v0.1.0", "fsm/not-a-version"}, []string{"cache", "fsm"})
	if got := strings.Join(tags["cache"], " "); got != "v0.2.0 v0.9.1 v0.10.0" {
		t.Errorf("cache tags = %s, want semver order without non-canonical ones", got)
	}
	if tags.Latest("cache") != "v0.10.0" || tags.Latest("fsm") != "" || tags.Latest("bench") != "" {
		t.Errorf("Latest: cache %q fsm %q bench %q", tags.Latest("cache"), tags.Latest("fsm"), tags.Latest("bench"))
	}
}
