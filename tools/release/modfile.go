package main

import (
	"golang.org/x/mod/modfile"
)

// cloneModFile parses the module's go.mod again, so that a plan can edit its
// own copy.
func cloneModFile(m *Module) (*modfile.File, error) {
	data, err := m.File.Format()
	if err != nil {
		return nil, err
	}
	return modfile.Parse(m.Dir+"/go.mod", data, nil)
}
