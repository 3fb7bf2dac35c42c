// Command release is the repository's release tooling: it plans and makes
// releases of the modules (tags <module>/vX.Y.Z), checks API compatibility
// against the previous tags, and rehearses a release through a local module
// proxy with one fresh consumer per module. See docs/versioning.md.
//
// Usage:
//
//	release plan [-apply] [-date YYYY-MM-DD] (-all VERSION|patch|minor|major | module@VERSION ...)
//	release apidiff [module ...]
//	release rehearse [-version v0.1.0] [-rev REV] [-strict=false] [-keep] [-jobs 2]
//
// Every subcommand takes -root (the repository root; default: the nearest
// folder above the current one that holds go.work) and -untagged (the go.work
// modules that are never released; default: examples). The released modules
// are the other go.work modules and the adapter modules nested in their
// folders (a go.mod below cache/, such as cache/otelcache), found by LoadRepo.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(args []string, w io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: release plan|apidiff|rehearse [flags]")
	}
	fs := flag.NewFlagSet("release "+args[0], flag.ContinueOnError)
	root := fs.String("root", "", "repository root (default: the nearest folder above holding go.work)")
	untagged := fs.String("untagged", "examples", "comma-separated go.work modules that are never released")
	load := func() (*Repo, error) {
		r := *root
		if r == "" {
			var err error
			if r, err = findRoot(); err != nil {
				return nil, err
			}
		}
		return LoadRepo(r, strings.Split(*untagged, ","))
	}
	switch args[0] {
	case "plan":
		apply := fs.Bool("apply", false, "commit and tag locally (default: dry run, change nothing)")
		all := fs.String("all", "", "release every module at this version, or at its next patch, minor or major version")
		date := fs.String("date", time.Now().UTC().Format(time.DateOnly), "release date for the changelogs")
		noAPI := fs.Bool("noapi", false, "skip the API compatibility check against previous tags")
		pending := fs.Bool("pending", false, "with -all: only the modules that have entries under ## [Unreleased]")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		repo, err := load()
		if err != nil {
			return err
		}
		return planCmd(repo, *all, *pending, fs.Args(), *date, *apply, !*noAPI, w)
	case "apidiff":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		repo, err := load()
		if err != nil {
			return err
		}
		return apidiffCmd(repo, fs.Args(), w)
	case "rehearse":
		cfg := RehearseConfig{Out: w}
		fs.StringVar(&cfg.Version, "version", "v0.1.0", "version every module is packed at")
		fs.StringVar(&cfg.Rev, "rev", "", "pack this git revision (e.g. HEAD) instead of the work tree")
		fs.BoolVar(&cfg.Strict, "strict", true, "fail when a module lacks the API its consumer program uses; -strict=false only imports such a module, with a warning")
		fs.BoolVar(&cfg.Keep, "keep", false, "keep the temporary folder")
		fs.IntVar(&cfg.Jobs, "jobs", 2, "consumers checked at once")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		repo, err := load()
		if err != nil {
			return err
		}
		return Rehearse(repo, cfg)
	default:
		return fmt.Errorf("unknown subcommand %q: want plan, apidiff or rehearse", args[0])
	}
}

func planCmd(repo *Repo, all string, pending bool, specs []string, date string, apply, api bool, w io.Writer) error {
	tags, err := RepoTags(repo.Root, repo.Dirs())
	if err != nil {
		return err
	}
	want := map[string]string{}
	if all != "" {
		src := fileSources{repo.Root}
		for _, m := range repo.Modules {
			if pending {
				text, err := src.Changelog(m.Dir)
				if err != nil {
					return err
				}
				if _, err := MoveUnreleased(string(text), "v0.0.0-check", date); errors.Is(err, ErrEmptyUnreleased) {
					fmt.Fprintf(w, "%s: nothing under ## [Unreleased], not released\n", m.Dir)
					continue
				}
			}
			if want[m.Dir], err = NextVersion(tags.Latest(m.Dir), all); err != nil {
				return err
			}
		}
		if len(want) == 0 && len(specs) == 0 {
			fmt.Fprintln(w, "nothing to release: no module has entries under ## [Unreleased]")
			return nil
		}
	}
	for _, s := range specs {
		dir, v, ok := strings.Cut(s, "@")
		if !ok {
			return fmt.Errorf("%q: want module@version, e.g. cache@v0.2.0 or cache@minor", s)
		}
		if want[dir], err = NextVersion(tags.Latest(dir), v); err != nil {
			return err
		}
	}
	if len(want) == 0 {
		return errors.New("nothing to release: give -all VERSION or module@VERSION arguments")
	}
	plan, err := MakePlan(repo, tags, want, date, fileSources{repo.Root})
	if err != nil {
		return fmt.Errorf("the release plan has problems:\n%w", err)
	}
	if !apply {
		fmt.Fprintln(w, "release plan (dry run: nothing is changed; add -apply to commit and tag locally)")
	} else {
		fmt.Fprintln(w, "release plan (applying: local commits and tags, nothing is pushed)")
	}
	plan.Print(w)
	if api {
		var errs []error
		for _, s := range plan.Steps {
			res, err := CheckCompat(repo.Root, s.Module, tags)
			if err != nil {
				return err
			}
			fmt.Fprint(w, "api: ")
			res.Print(w)
			if res.Fails() {
				errs = append(errs, fmt.Errorf("%s: incompatible API changes since %s", s.Module.Dir, TagName(s.Module.Dir, res.Previous)))
			} else if res.Incompatible() > 0 && semver.MajorMinor(s.Version) == semver.MajorMinor(res.Previous) {
				errs = append(errs, fmt.Errorf("%s: incompatible API changes since %s need at least a new minor version, not %s",
					s.Module.Dir, res.Previous, s.Version))
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	if !apply {
		return nil
	}
	return Apply(repo.Root, plan, w)
}

func apidiffCmd(repo *Repo, dirs []string, w io.Writer) error {
	if len(dirs) == 0 {
		dirs = repo.Dirs()
	}
	tags, err := RepoTags(repo.Root, repo.Dirs())
	if err != nil {
		return err
	}
	var errs []error
	for _, dir := range dirs {
		m := repo.Module(dir)
		if m == nil {
			errs = append(errs, fmt.Errorf("%s: not a released module", dir))
			continue
		}
		res, err := CheckCompat(repo.Root, m, tags)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		res.Print(w)
		if res.Fails() {
			errs = append(errs, fmt.Errorf("%s: incompatible API changes since %s", dir, TagName(dir, res.Previous)))
		}
	}
	return errors.Join(errs...)
}

// findRoot returns the nearest folder above the current one that holds go.work.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the current folder: give -root")
		}
		dir = parent
	}
}
