package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// Pack writes version v of the module whose files are in dir into a
// file-based module proxy at proxyDir, in the layout the go command reads
// from a file:// GOPROXY:
//
//	<escaped module path>/@v/list
//	<escaped module path>/@v/<v>.info
//	<escaped module path>/@v/<v>.mod
//	<escaped module path>/@v/<v>.zip
//
// The zip is made by golang.org/x/mod/zip from the folder as it is, so it
// holds exactly what the go command would take from a tag of that folder
// (without nested modules, vendor folders and the like). gomod is the go.mod
// to publish; it must be the go.mod in dir, or a planned edit of it.
func Pack(proxyDir, dir, path, v string, gomod []byte, at time.Time) error {
	esc, err := module.EscapePath(path)
	if err != nil {
		return err
	}
	escV, err := module.EscapeVersion(v)
	if err != nil {
		return err
	}
	vdir := filepath.Join(proxyDir, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	zf, err := os.Create(filepath.Join(vdir, escV+".zip"))
	if err != nil {
		return err
	}
	if err := zip.CreateFromDir(zf, module.Version{Path: path, Version: v}, dir); err != nil {
		_ = zf.Close()
		return fmt.Errorf("packing %s %s: %w", path, v, err)
	}
	if err := zf.Close(); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{v, at.UTC()})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(vdir, escV+".info"), info, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(vdir, escV+".mod"), gomod, 0o644); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(vdir, "list"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, v); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
