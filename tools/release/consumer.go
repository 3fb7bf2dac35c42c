package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"
)

// consumerResult is what checking one consumer found.
type consumerResult struct {
	dir      string
	fallback string // why the fallback program was used, or ""
	output   string
	vendored []string // "path version" of each module in vendor/modules.txt
	took     time.Duration
	err      error
}

func (r *consumerResult) print(w io.Writer) {
	status := "ok"
	if r.err != nil {
		status = "FAILED"
	}
	fmt.Fprintf(w, "\n%s consumer: %s (%.1fs)\n", r.dir, status, r.took.Seconds())
	if r.fallback != "" {
		fmt.Fprintf(w, "  WARNING: %s\n", r.fallback)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.output), "\n") {
		if l != "" {
			fmt.Fprintf(w, "  program: %s\n", l)
		}
	}
	for _, v := range r.vendored {
		fmt.Fprintf(w, "  vendor/modules.txt: %s\n", v)
	}
}

// consumerRun is one consumer being made and checked: a module in its own
// folder that requires only the module under test.
type consumerRun struct {
	repo    *Repo
	m       *Module
	c       consumer
	dir     string   // the consumer's folder
	modPath string   // the consumer's module path
	env     []string // the go commands' environment
	allowed map[string]bool
	need    []string
}

// checkConsumer makes the consumer of module m and checks it.
func checkConsumer(repo *Repo, m *Module, cfg RehearseConfig, tmp string, env []string) *consumerResult {
	start := time.Now()
	r := &consumerResult{dir: m.Dir}
	r.err = runConsumer(repo, m, cfg, tmp, env, r)
	r.took = time.Since(start)
	return r
}

func runConsumer(repo *Repo, m *Module, cfg RehearseConfig, tmp string, env []string, r *consumerResult) error {
	table := cfg.Consumers
	if table == nil {
		table = consumers
	}
	c, ok := table[m.Dir]
	if !ok {
		return fmt.Errorf("no consumer program for %s: add one to tools/release/consumers.go", m.Dir)
	}
	missing, err := missingNames(filepath.Join(repo.Root, filepath.FromSlash(m.Dir)), c.Uses)
	if err != nil {
		return err
	}
	run := &consumerRun{
		repo:    repo,
		m:       m,
		c:       c,
		dir:     filepath.Join(tmp, "consumer-"+strings.ReplaceAll(m.Dir, "/", "-")),
		modPath: "example.com/rehearsal/" + m.Dir + "consumer",
		env:     env,
		allowed: allowedModules(repo, m, c),
		need:    append([]string{m.Path}, expand(repo, c.Need)...),
	}
	if c.Sibling {
		run.modPath = repo.Prefix + "/rehearsal/" + m.Dir + "consumer"
	}
	program, want := c.Program, c.Want
	if len(missing) > 0 {
		r.fallback = fmt.Sprintf("%s lacks %s, which %s uses: only the package import was checked",
			m.Dir, strings.Join(missing, ", "), c.Program)
		if cfg.Strict {
			return errors.New(r.fallback)
		}
		// An import alone cannot show what the module will need.
		program, want, run.need = "fallback.go.tmpl", m.Dir+": imported\n", run.need[:1]
	}
	if err := run.write(program, cfg.Version); err != nil {
		return err
	}
	if r.output, err = run.buildAndRun(); err != nil {
		return err
	}
	if !strings.Contains(r.output, want) {
		return fmt.Errorf("the program printed %q, want %q", r.output, want)
	}
	depsErr := run.checkDeps()
	var vendorErr error
	r.vendored, vendorErr = run.checkVendor()
	return errors.Join(depsErr, vendorErr)
}

// write lays out the consumer: a go.mod requiring only the module at version
// v, and the program.
func (run *consumerRun) write(program, v string) error {
	if err := os.MkdirAll(run.dir, 0o755); err != nil {
		return err
	}
	goVersion := "1.26.0"
	if run.m.File.Go != nil {
		goVersion = run.m.File.Go.Version
	}
	gomod := fmt.Sprintf("module %s\n\ngo %s\n\nrequire %s %s\n", run.modPath, goVersion, run.m.Path, v)
	if err := os.WriteFile(filepath.Join(run.dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	t, err := template.ParseFS(programs, "consumers/"+program)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	data := struct{ Path, Prefix, Dir, ParentPath string }{run.m.Path, run.repo.Prefix, run.m.Dir, ""}
	if p := run.repo.Module(run.m.Parent); p != nil {
		data.ParentPath = p.Path
	}
	if err := t.Execute(&b, data); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(run.dir, "main.go"), b.Bytes(), 0o644)
}

// command runs a command in the consumer's folder and returns its combined
// output; a failure is an error that carries the output.
func (run *consumerRun) command(args ...string) (string, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir, cmd.Env = run.dir, run.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// buildAndRun resolves the consumer's requires (go mod tidy), builds the
// program and runs it, returning what it printed.
func (run *consumerRun) buildAndRun() (string, error) {
	if _, err := run.command("go", "mod", "tidy"); err != nil {
		return "", err
	}
	bin := filepath.Join(run.dir, "consumer")
	if _, err := run.command("go", "build", "-o", bin, "."); err != nil {
		return "", err
	}
	out, err := run.command(bin)
	if err != nil {
		return out, fmt.Errorf("the program failed: %w", err)
	}
	return out, nil
}

// checkDeps checks the modules of the packages in the consumer's build
// (go list -deps): goleak never, nothing outside the allowed set.
func (run *consumerRun) checkDeps() error {
	deps, err := run.command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".")
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range uniqueLines(deps) {
		if f := run.forbidden(p); f != "" {
			errs = append(errs, fmt.Errorf("go list -deps: %s is in the build, and no consumer of %s may get %s", p, run.m.Dir, f))
		} else if p == goleakModule {
			errs = append(errs, fmt.Errorf("%s is in the build (go list -deps): it must stay a test-only dependency", goleakModule))
		} else if p != run.modPath && !run.allowed[p] {
			errs = append(errs, fmt.Errorf("go list -deps: unexpected module %s in the build; %s may bring only %s",
				p, run.m.Dir, allowedList(run.allowed)))
		}
	}
	return errors.Join(errs...)
}

// checkVendor vendors the consumer and checks vendor/modules.txt: it must
// hold the modules the module needs and nothing outside its allowed set. It
// returns the "path version" of each module listed.
func (run *consumerRun) checkVendor() ([]string, error) {
	if _, err := run.command("go", "mod", "vendor"); err != nil {
		return nil, err
	}
	txt, err := os.ReadFile(filepath.Join(run.dir, "vendor", "modules.txt"))
	if err != nil {
		return nil, err
	}
	var listed []string
	var errs []error
	vendored := map[string]bool{}
	for _, l := range strings.Split(string(txt), "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "#" {
			continue
		}
		listed = append(listed, f[1]+" "+f[2])
		vendored[f[1]] = true
		if bad := run.forbidden(f[1]); bad != "" {
			errs = append(errs, fmt.Errorf("vendor/modules.txt: %s is vendored, and no consumer of %s may get %s", f[1], run.m.Dir, bad))
		} else if !run.allowed[f[1]] {
			errs = append(errs, fmt.Errorf("vendor/modules.txt: unexpected module %s; %s may bring only %s",
				f[1], run.m.Dir, allowedList(run.allowed)))
		}
	}
	for _, p := range run.need {
		if !vendored[p] {
			errs = append(errs, fmt.Errorf("vendor/modules.txt: %s is missing, but %s needs it", p, run.m.Dir))
		}
	}
	return listed, errors.Join(errs...)
}

// forbidden returns the prefix of the consumer's Forbid list that module
// path p falls under, or "".
func (run *consumerRun) forbidden(p string) string {
	for _, f := range run.c.Forbid {
		if p == f || strings.HasPrefix(p, strings.TrimSuffix(f, "/")+"/") {
			return f
		}
	}
	return ""
}

// allowedModules is the set of modules a consumer of m may vendor: m, what it
// needs and what it may use.
func allowedModules(repo *Repo, m *Module, c consumer) map[string]bool {
	allowed := map[string]bool{m.Path: true}
	for _, p := range expand(repo, append(slices.Clone(c.Need), c.May...)) {
		allowed[p] = true
	}
	return allowed
}

// expand turns sibling folders ("internal") into module paths.
func expand(repo *Repo, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if m := repo.Module(n); m != nil {
			out[i] = m.Path
		} else {
			out[i] = n
		}
	}
	return out
}

func allowedList(allowed map[string]bool) string {
	return strings.Join(sortedKeys(allowed), ", ")
}

func uniqueLines(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
