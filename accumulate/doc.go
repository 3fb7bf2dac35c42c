// Package accumulate keeps a bounded list of callbacks and runs them one after another on an executor when a scope exits.
//
// This package is under construction: its API lands with its issue.
package accumulate
