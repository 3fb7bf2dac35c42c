// Package gather runs many tasks with at most n at once and collects their results in input order.
//
// This package is under construction: its API lands with its issue.
package gather
