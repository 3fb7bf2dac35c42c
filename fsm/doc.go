// Package fsm is a small asynchronous state machine with string states, guarded transitions, and enter and exit handlers.
//
// This package is under construction: its API lands with its issue.
package fsm
