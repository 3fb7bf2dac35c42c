package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// adapterRepo lays out a repository with go.work (a, b, examples) and the
// adapter module a/ad nested in a, which requires a; plus go.mod files that
// are not adapter modules: in testdata, in a dot folder, below the untagged
// examples.
func adapterRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "go.work"), "go 1.26.0\n\nuse (\n\t./a\n\t./b\n\t./examples\n)\n")
	write(t, filepath.Join(root, "a", "go.mod"), "module example.com/r/a\n\ngo 1.26.0\n")
	write(t, filepath.Join(root, "a", "a.go"), "package a\n\n// A is a value.\nconst A = 1\n")
	write(t, filepath.Join(root, "a", "ad", "go.mod"),
		"module example.com/r/a/ad\n\ngo 1.26.0\n\nrequire example.com/r/a v0.1.0\n\nreplace example.com/r/a => ../\n")
	write(t, filepath.Join(root, "a", "ad", "ad.go"), "package ad\n\nimport \"example.com/r/a\"\n\n// Ad is a value.\nconst Ad = a.A + 10\n")
	write(t, filepath.Join(root, "a", "testdata", "m", "go.mod"), "module example.com/r/a/testdata/m\n")
	write(t, filepath.Join(root, "a", ".hidden", "go.mod"), "module example.com/r/a/.hidden\n")
	write(t, filepath.Join(root, "b", "go.mod"), "module example.com/r/b\n\ngo 1.26.0\n")
	write(t, filepath.Join(root, "b", "b.go"), "package b\n\n// B is a value.\nconst B = 2\n")
	write(t, filepath.Join(root, "examples", "go.mod"), "module example.com/r/examples\n\ngo 1.26.0\n")
	write(t, filepath.Join(root, "examples", "ex", "go.mod"), "module example.com/r/examples/ex\n\ngo 1.26.0\n")
	return root
}

func TestLoadRepo_Adapters(t *testing.T) {
	repo, err := LoadRepo(adapterRepo(t), []string{"examples"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(repo.Dirs(), " "); got != "a a/ad b" {
		t.Errorf("Dirs() = %s, want a a/ad b", got)
	}
	ad := repo.Module("a/ad")
	if ad == nil || ad.Parent != "a" || ad.Path != "example.com/r/a/ad" {
		t.Fatalf("a/ad = %+v, want the adapter of a", ad)
	}
	if p := repo.Module("a").Parent; p != "" {
		t.Errorf("a has parent %q, want none", p)
	}
	if got := strings.Join(repo.Adapters("a"), " "); got != "a/ad" {
		t.Errorf("Adapters(a) = %s, want a/ad", got)
	}
	order, err := Order(repo)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, m := range order {
		dirs = append(dirs, m.Dir)
	}
	if got := strings.Join(dirs, " "); got != "a a/ad b" {
		t.Errorf("release order %s, want the adapter after a", got)
	}
	tags := ParseTags([]string{"a/v0.1.0", "a/ad/v0.1.0", "a/ad/v0.2.0", "b/v0.1.0"}, repo.Dirs())
	if tags.Latest("a/ad") != "v0.2.0" || tags.Latest("a") != "v0.1.0" {
		t.Errorf("tags = %v, want a/ad's own tags apart from a's", tags)
	}
}

func TestLoadRepo_AdapterErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		text    string
		wantErr string
	}{
		{
			name:    "an adapter that does not require the module it extends",
			file:    "a/ad/go.mod",
			text:    "module example.com/r/a/ad\n\ngo 1.26.0\n",
			wantErr: "a/ad/go.mod: an adapter module nested in a must require example.com/r/a",
		},
		{
			name:    "a go.work module that requires an adapter",
			file:    "b/go.mod",
			text:    "module example.com/r/b\n\ngo 1.26.0\n\nrequire example.com/r/a/ad v0.1.0\n",
			wantErr: "b/go.mod: requires the adapter module a/ad",
		},
		{
			name:    "an adapter whose path is not its folder",
			file:    "a/ad/go.mod",
			text:    "module example.com/r/ad\n\ngo 1.26.0\n",
			wantErr: "does not end in the folder name a/ad",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := adapterRepo(t)
			write(t, filepath.Join(root, filepath.FromSlash(tt.file)), tt.text)
			_, err := LoadRepo(root, []string{"examples"})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("LoadRepo() error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestRehearse_Adapter rehearses the adapter like any module: its consumer
// gets the module it extends; the extended module's consumer gets nothing of
// the adapter (its zip leaves the nested module out); and a Forbid list
// fails a consumer whatever May allows.
func TestRehearse_Adapter(t *testing.T) {
	tests := []struct {
		name    string
		table   map[string]consumer
		wantErr string
	}{
		{
			name: "the adapter's consumer vendors what it needs",
			table: map[string]consumer{
				"a":    {Uses: []string{"Missing"}, Forbid: []string{"example.com/r/a/ad"}},
				"a/ad": {Uses: []string{"Missing"}, May: []string{"a"}},
				"b":    {Uses: []string{"Missing"}},
			},
		},
		{
			name: "Forbid wins over May",
			table: map[string]consumer{
				"a":    {Uses: []string{"Missing"}},
				"a/ad": {Uses: []string{"Missing"}, May: []string{"a"}, Forbid: []string{"example.com/r"}},
				"b":    {Uses: []string{"Missing"}},
			},
			wantErr: "vendor/modules.txt: example.com/r/a is vendored, and no consumer of a/ad may get example.com/r",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, err := LoadRepo(adapterRepo(t), []string{"examples"})
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			err = Rehearse(repo, RehearseConfig{Version: "v0.1.0", Jobs: 2, Out: &out, Consumers: tt.table})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Rehearse() error = %v\noutput:\n%s", err, out.String())
				}
				for _, w := range []string{
					"a/ad consumer: ok",
					"vendor/modules.txt: example.com/r/a/ad v0.1.0",
					"vendor/modules.txt: example.com/r/a v0.1.0",
					"rehearsal passed: 3 consumers",
				} {
					if !strings.Contains(out.String(), w) {
						t.Errorf("output =\n%s\nwant it to contain %q", out.String(), w)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Rehearse() error = %v, want %q\noutput:\n%s", err, tt.wantErr, out.String())
			}
			if !strings.Contains(err.Error(), "go list -deps: example.com/r/a is in the build") {
				t.Errorf("Rehearse() error = %v, want the build check too", err)
			}
		})
	}
}

// TestApply_Adapter: an adapter is tagged <folder>/vX.Y.Z; uncommitted
// changes in it do not block the module it is nested in, only itself.
func TestApply_Adapter(t *testing.T) {
	t.Setenv("GIT_AUTHOR_NAME", "test")
	t.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "test")
	t.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
	root := adapterRepo(t)
	entry := "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Something.\n"
	for _, dir := range []string{"a", "a/ad", "b"} {
		write(t, filepath.Join(root, filepath.FromSlash(dir), "CHANGELOG.md"), entry)
	}
	gitRun(t, root, "init", "-q")
	gitRun(t, root, "add", ".")
	gitRun(t, root, "commit", "-q", "-m", "start")
	write(t, filepath.Join(root, "a", "ad", "ad.go"), "package ad\n\n// Ad is changed, not committed.\nconst Ad = 3\n")

	release := func(want map[string]string) error {
		t.Helper()
		repo, err := LoadRepo(root, []string{"examples"})
		if err != nil {
			t.Fatal(err)
		}
		tags, err := RepoTags(root, repo.Dirs())
		if err != nil {
			t.Fatal(err)
		}
		plan, err := MakePlan(repo, tags, want, "2026-01-02", fileSources{root})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		return Apply(root, plan, &out)
	}
	if err := release(map[string]string{"a": "v0.1.0"}); err != nil {
		t.Fatalf("Apply(a) with changes in a/ad only: %v", err)
	}
	err := release(map[string]string{"a/ad": "v0.1.0"})
	if err == nil || !strings.Contains(err.Error(), "a/ad has uncommitted changes") {
		t.Fatalf("Apply(a/ad) error = %v, want uncommitted changes", err)
	}
	gitRun(t, root, "commit", "-q", "-am", "ad changed")
	if err := release(map[string]string{"a/ad": "v0.1.0"}); err != nil {
		t.Fatal(err)
	}
	if got := gitRun(t, root, "tag", "--list"); got != "a/ad/v0.1.0\na/v0.1.0\n" {
		t.Errorf("tags =\n%s", got)
	}
	if got := gitRun(t, root, "show", "a/ad/v0.1.0:a/ad/CHANGELOG.md"); !strings.Contains(got, "## [0.1.0] - 2026-01-02") {
		t.Errorf("a/ad/v0.1.0 changelog =\n%s", got)
	}
}
