// Command report runs the benchmarks of this module and writes the report.
// Placeholder until the report lands.
package main

import "fmt"

func main() { fmt.Println("report: not written yet") }
