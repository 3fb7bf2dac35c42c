package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRun runs git in root with a fixed identity and fails the test on error.
func gitRun(t *testing.T, root string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com"}, args...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestApply(t *testing.T) {
	t.Setenv("GIT_AUTHOR_NAME", "test")
	t.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "test")
	t.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
	root := t.TempDir()
	entry := "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Something.\n"
	write(t, filepath.Join(root, "go.work"), "go 1.26.0\n\nuse (\n\t./a\n\t./b\n)\n")
	write(t, filepath.Join(root, "a", "go.mod"), "module example.com/r/a\n\ngo 1.26.0\n")
	write(t, filepath.Join(root, "a", "CHANGELOG.md"), entry)
	write(t, filepath.Join(root, "b", "go.mod"),
		"module example.com/r/b\n\ngo 1.26.0\n\nrequire example.com/r/a v0.1.0 // a comment that stays\n\nreplace example.com/r/a => ../a\n")
	write(t, filepath.Join(root, "b", "CHANGELOG.md"), entry)
	gitRun(t, root, "init", "-q")
	gitRun(t, root, "add", ".")
	gitRun(t, root, "commit", "-q", "-m", "start")

	release := func(want map[string]string, date string) error {
		t.Helper()
		repo, err := LoadRepo(root, nil)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := RepoTags(root, repo.Dirs())
		if err != nil {
			t.Fatal(err)
		}
		plan, err := MakePlan(repo, tags, want, date, fileSources{root})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		err = Apply(root, plan, &out)
		if err == nil && !strings.Contains(out.String(), "nothing was pushed") {
			t.Errorf("Apply() output lacks the push hint:\n%s", out.String())
		}
		return err
	}

	// The first release: two commits, two tags, in order.
	if err := release(map[string]string{"a": "v0.1.0", "b": "v0.1.0"}, "2026-01-02"); err != nil {
		t.Fatal(err)
	}
	if got := gitRun(t, root, "log", "--format=%s", "-3"); got != "b: release v0.1.0\na: release v0.1.0\nstart\n" {
		t.Errorf("commits =\n%s", got)
	}
	if got := gitRun(t, root, "show", "a/v0.1.0:a/CHANGELOG.md"); !strings.Contains(got, "## [Unreleased]\n\n## [0.1.0] - 2026-01-02\n") {
		t.Errorf("a/v0.1.0 changelog =\n%s", got)
	}

	// A second release raises b's require of a to the new a.
	for _, dir := range []string{"a", "b"} {
		p := filepath.Join(root, dir, "CHANGELOG.md")
		text, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		write(t, p, strings.Replace(string(text), "## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n\n- A bug.\n", 1))
	}
	gitRun(t, root, "commit", "-q", "-am", "more")
	if err := release(map[string]string{"a": "v0.2.0", "b": "v0.2.0"}, "2026-02-03"); err != nil {
		t.Fatal(err)
	}
	gomod := gitRun(t, root, "show", "b/v0.2.0:b/go.mod")
	if !strings.Contains(gomod, "require example.com/r/a v0.2.0 // a comment that stays") || !strings.Contains(gomod, "replace example.com/r/a => ../a") {
		t.Errorf("b/v0.2.0 go.mod =\n%s", gomod)
	}
	if got := gitRun(t, root, "tag", "--list"); got != "a/v0.1.0\na/v0.2.0\nb/v0.1.0\nb/v0.2.0\n" {
		t.Errorf("tags =\n%s", got)
	}
	if got := gitRun(t, root, "status", "--porcelain"); got != "" {
		t.Errorf("work tree not clean after Apply:\n%s", got)
	}

	// Uncommitted changes in a module of the plan: refused, nothing done.
	write(t, filepath.Join(root, "a", "CHANGELOG.md"), entry+"- Uncommitted.\n")
	head := gitRun(t, root, "rev-parse", "HEAD")
	err := release(map[string]string{"a": "v0.3.0"}, "2026-03-04")
	if err == nil || !strings.Contains(err.Error(), "a has uncommitted changes") {
		t.Errorf("Apply() error = %v, want uncommitted changes", err)
	}
	if got := gitRun(t, root, "rev-parse", "HEAD"); got != head {
		t.Error("Apply() committed despite uncommitted changes")
	}
}
