package main

// Keeps every module in go.mod while the sections are being written; removed
// once each module's section imports it.
import (
	_ "github.com/asyncutils-go/asyncutils/accumulate"
	_ "github.com/asyncutils-go/asyncutils/cache"
	_ "github.com/asyncutils-go/asyncutils/fsm"
	_ "github.com/asyncutils-go/asyncutils/gather"
)
