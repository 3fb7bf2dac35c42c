package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// git runs git in dir and returns its standard output; a failure is an error
// carrying git's standard error.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// RepoTags reads the release tags of the repository at root.
func RepoTags(root string, dirs []string) (Tags, error) {
	out, err := git(root, "tag", "--list")
	if err != nil {
		return nil, err
	}
	return ParseTags(strings.Fields(out), dirs), nil
}
