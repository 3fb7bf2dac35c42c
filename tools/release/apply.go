package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// fileSources reads changelogs from the work tree.
type fileSources struct{ root string }

func (s fileSources) Changelog(dir string) ([]byte, error) {
	return os.ReadFile(filepath.Join(s.root, filepath.FromSlash(dir), "CHANGELOG.md"))
}

// Apply carries the plan out in the repository at root, locally: for each
// step in order, it writes the new go.mod and changelog, commits them (only
// those two files) and puts an annotated tag on that commit. It never pushes.
// It refuses to start when a module of the plan has uncommitted changes,
// because the tag must describe what is committed.
func Apply(root string, p *Plan, w io.Writer) error {
	var errs []error
	for _, s := range p.Steps {
		// An adapter module nested in the folder has its own tags and
		// commits: its changes do not keep this module from being tagged.
		spec := []string{"status", "--porcelain", "--", s.Module.Dir}
		for _, a := range p.adapters[s.Module.Dir] {
			spec = append(spec, ":(exclude)"+a)
		}
		out, err := git(root, spec...)
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) != "" {
			errs = append(errs, fmt.Errorf("%s has uncommitted changes:\n%s", s.Module.Dir, out))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	var tags []string
	for _, s := range p.Steps {
		dir := filepath.Join(root, filepath.FromSlash(s.Module.Dir))
		paths := []string{s.Module.Dir + "/CHANGELOG.md"}
		if err := os.WriteFile(filepath.Join(dir, "CHANGELOG.md"), s.Changelog, 0o644); err != nil {
			return err
		}
		if s.GoMod != nil {
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), s.GoMod, 0o644); err != nil {
				return err
			}
			paths = append(paths, s.Module.Dir+"/go.mod")
		}
		if _, err := git(root, append([]string{"add", "--"}, paths...)...); err != nil {
			return err
		}
		msg := fmt.Sprintf("%s: release %s", s.Module.Dir, s.Version)
		if _, err := git(root, append([]string{"commit", "-q", "-m", msg, "--"}, paths...)...); err != nil {
			return err
		}
		if _, err := git(root, "tag", "-a", s.Tag(), "-m", fmt.Sprintf("%s %s", s.Module.Path, s.Version)); err != nil {
			return err
		}
		fmt.Fprintf(w, "committed %q and tagged %s\n", msg, s.Tag())
		tags = append(tags, s.Tag())
	}
	fmt.Fprintf(w, "nothing was pushed; to publish: git push origin HEAD %s\n", strings.Join(tags, " "))
	return nil
}
