package main

import (
	"fmt"
	"slices"
	"strings"
)

// Order returns the modules in release order: every module after the
// modules it requires, ties broken by folder name so that the order is
// stable. A require cycle is an error naming the modules in it.
func Order(repo *Repo) ([]*Module, error) {
	indegree := make(map[string]int, len(repo.Modules))
	dependents := make(map[string][]string)
	for _, m := range repo.Modules {
		indegree[m.Dir] += 0
		for _, r := range m.Requires {
			dep := repo.ByPath(r.Path)
			indegree[m.Dir]++
			dependents[dep.Dir] = append(dependents[dep.Dir], m.Dir)
		}
	}
	var ready []string
	for _, m := range repo.Modules {
		if indegree[m.Dir] == 0 {
			ready = append(ready, m.Dir)
		}
	}
	var out []*Module
	for len(ready) > 0 {
		slices.Sort(ready)
		dir := ready[0]
		ready = ready[1:]
		out = append(out, repo.Module(dir))
		for _, d := range dependents[dir] {
			indegree[d]--
			if indegree[d] == 0 {
				ready = append(ready, d)
			}
		}
	}
	if len(out) < len(repo.Modules) {
		var cycle []string
		for _, m := range repo.Modules {
			if indegree[m.Dir] > 0 {
				cycle = append(cycle, m.Dir)
			}
		}
		return nil, fmt.Errorf("require cycle among %s", strings.Join(cycle, ", "))
	}
	return out, nil
}
