package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Plan is a release: the modules to tag, in release order, with what changes
// in each before its tag.
type Plan struct {
	Date  string
	Steps []*Step
	Notes []string // things worth knowing that are not errors
	// adapters lists, per module folder, the adapter modules nested in it.
	adapters map[string][]string
}

// Step releases one module.
type Step struct {
	Module    *Module
	Version   string // vX.Y.Z
	Previous  string // the latest existing tag's version, or ""
	Bumps     []Bump // requires raised to versions released earlier in the plan
	GoMod     []byte // the new go.mod, when Bumps is not empty
	Changelog []byte // the changelog with [Unreleased] moved under the version
}

// Tag is the git tag of the step: <folder>/vX.Y.Z.
func (s *Step) Tag() string { return TagName(s.Module.Dir, s.Version) }

// Bump is one require raised to a newly released version.
type Bump struct {
	Path     string
	From, To string
}

// TagName returns the tag of version v of the module in folder dir. It is the
// tag the go command looks for: the module's folder, a slash, the version.
func TagName(dir, v string) string { return dir + "/" + v }

// Tags holds the existing release tags: folder -> versions.
type Tags map[string][]string

// ParseTags sorts git tag names into Tags, keeping only <folder>/<semver>
// tags of the given folders.
func ParseTags(names []string, dirs []string) Tags {
	tags := Tags{}
	for _, n := range names {
		i := strings.LastIndex(n, "/")
		if i < 0 {
			continue
		}
		dir, v := n[:i], n[i+1:]
		if semver.IsValid(v) && v == semver.Canonical(v) && contains(dirs, dir) {
			tags[dir] = append(tags[dir], v)
		}
	}
	for dir := range tags {
		semver.Sort(tags[dir])
	}
	return tags
}

// Has reports whether version v of the module in folder dir is tagged.
func (t Tags) Has(dir, v string) bool { return contains(t[dir], v) }

// Latest returns the highest tagged version of the module in folder dir, or "".
func (t Tags) Latest(dir string) string {
	vs := t[dir]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NextVersion returns the version after the module's latest tag for a bump
// of "patch", "minor" or "major"; any other value must be a version and is
// returned as is. With no tag yet, every bump gives v0.1.0.
func NextVersion(latest, bump string) (string, error) {
	switch bump {
	case "patch", "minor", "major":
	default:
		return bump, nil
	}
	if latest == "" {
		return "v0.1.0", nil
	}
	var major, minor, patch int
	if _, err := fmt.Sscanf(semver.Canonical(strings.TrimSuffix(latest, semver.Build(latest))), "v%d.%d.%d", &major, &minor, &patch); err != nil {
		return "", fmt.Errorf("cannot bump %s: %w", latest, err)
	}
	if semver.Prerelease(latest) != "" && bump == "patch" {
		return fmt.Sprintf("v%d.%d.%d", major, minor, patch), nil
	}
	switch bump {
	case "patch":
		patch++
	case "minor":
		minor, patch = minor+1, 0
	default:
		major, minor, patch = major+1, 0, 0
	}
	return fmt.Sprintf("v%d.%d.%d", major, minor, patch), nil
}

// Sources gives the plan the files it reads: a module's CHANGELOG.md.
type Sources interface {
	Changelog(dir string) ([]byte, error)
}

// MakePlan plans the release of the modules in want (folder -> version):
// their release order from the go.mod requires, the requires raised to the
// versions released earlier in the same plan, the changelog moves, and the
// check that every require of a released module names a version that is
// tagged or released in this plan. All problems are returned together.
func MakePlan(repo *Repo, tags Tags, want map[string]string, date string, src Sources) (*Plan, error) {
	var errs []error
	for _, dir := range sortedKeys(want) {
		m := repo.Module(dir)
		if m == nil {
			errs = append(errs, fmt.Errorf("%s: not a released module (released modules: %s)", dir, strings.Join(repo.Dirs(), ", ")))
			continue
		}
		if err := checkVersion(m, want[dir], tags); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", dir, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	order, err := Order(repo)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Date: date, adapters: map[string][]string{}}
	for _, m := range repo.Modules {
		if a := repo.Adapters(m.Dir); len(a) > 0 {
			plan.adapters[m.Dir] = a
		}
	}
	for _, m := range order {
		v, ok := want[m.Dir]
		if !ok {
			for _, r := range m.Requires {
				dep := repo.ByPath(r.Path)
				if nv, released := want[dep.Dir]; released && nv != r.Version {
					plan.Notes = append(plan.Notes, fmt.Sprintf("%s is not in this release and keeps requiring %s %s (released now: %s)", m.Dir, dep.Dir, r.Version, nv))
				}
			}
			continue
		}
		step := &Step{Module: m, Version: v, Previous: tags.Latest(m.Dir)}
		f, err := cloneModFile(m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, r := range m.Requires {
			dep := repo.ByPath(r.Path)
			final := r.Version
			if nv, released := want[dep.Dir]; released {
				final = nv
				if nv != r.Version {
					step.Bumps = append(step.Bumps, Bump{Path: r.Path, From: r.Version, To: nv})
					if err := f.AddRequire(r.Path, nv); err != nil {
						errs = append(errs, fmt.Errorf("%s/go.mod: %w", m.Dir, err))
					}
				}
			}
			if want[dep.Dir] != final && !tags.Has(dep.Dir, final) {
				errs = append(errs, fmt.Errorf("%s requires %s %s, which has no tag %s and is not released in this plan",
					m.Dir, dep.Dir, final, TagName(dep.Dir, final)))
			}
		}
		if len(step.Bumps) > 0 {
			f.Cleanup()
			if step.GoMod, err = f.Format(); err != nil {
				errs = append(errs, fmt.Errorf("%s/go.mod: %w", m.Dir, err))
			}
		}
		text, err := src.Changelog(m.Dir)
		if err == nil {
			var moved string
			moved, err = MoveUnreleased(string(text), v, date)
			step.Changelog = []byte(moved)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s/CHANGELOG.md: %w", m.Dir, err))
		}
		plan.Steps = append(plan.Steps, step)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return plan, nil
}

// checkVersion checks that v is a release version the module can take: a
// canonical semantic version, matching the major version of the module path,
// above every existing tag of the module.
func checkVersion(m *Module, v string, tags Tags) error {
	if !semver.IsValid(v) || v != semver.Canonical(v) {
		return fmt.Errorf("%q is not a version of the form vX.Y.Z", v)
	}
	_, pathMajor, _ := module.SplitPathVersion(m.Path)
	if err := module.CheckPathMajor(v, pathMajor); err != nil {
		return fmt.Errorf("%w (a new major version v2 or later is a new module path ending in /v2)", err)
	}
	if tags.Has(m.Dir, v) {
		return fmt.Errorf("tag %s exists already", TagName(m.Dir, v))
	}
	if latest := tags.Latest(m.Dir); latest != "" && semver.Compare(v, latest) <= 0 {
		return fmt.Errorf("%s is not above the latest tag %s", v, TagName(m.Dir, latest))
	}
	return nil
}

// Print writes the plan for a person to read.
func (p *Plan) Print(w io.Writer) {
	fmt.Fprintf(w, "release date: %s\n", p.Date)
	for i, s := range p.Steps {
		prev := "first release"
		if s.Previous != "" {
			prev = "after " + TagName(s.Module.Dir, s.Previous)
		}
		fmt.Fprintf(w, "%2d. %-16s %-8s tag %s (%s)\n", i+1, s.Module.Dir, s.Version, s.Tag(), prev)
		for _, b := range s.Bumps {
			fmt.Fprintf(w, "      go.mod: require %s %s -> %s\n", b.Path, b.From, b.To)
		}
		fmt.Fprintf(w, "      CHANGELOG.md: ## [Unreleased] -> ## [%s] - %s, a fresh empty ## [Unreleased] on top\n",
			strings.TrimPrefix(s.Version, "v"), p.Date)
	}
	fmt.Fprintln(w, "requires: every require of a released module names a tagged version or one released here: ok")
	for _, n := range p.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}
