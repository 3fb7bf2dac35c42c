package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// exportedNames returns the exported top-level names ("New") and methods
// ("Cache.Get") declared in the non-test Go files of the package in dir. A
// missing folder has no names.
func exportedNames(dir string) (map[string]bool, error) {
	names := map[string]bool{}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return names, nil
	}
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = d.Name.IsExported()
				} else if recv := receiverName(d.Recv.List[0].Type); ast.IsExported(recv) && d.Name.IsExported() {
					names[recv+"."+d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = s.Name.IsExported()
					case *ast.ValueSpec:
						for _, id := range s.Names {
							names[id.Name] = id.IsExported()
						}
					}
				}
			}
		}
	}
	for n, exported := range names {
		if !exported {
			delete(names, n)
		}
	}
	return names, nil
}

// receiverName returns the type name of a method receiver: T for T, *T,
// T[K, V] and *T[K, V].
func receiverName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// missingNames returns the names of uses ("New", "Cache.Get", "timing:Or")
// that the module in moduleDir does not declare.
func missingNames(moduleDir string, uses []string) ([]string, error) {
	byPkg := map[string]map[string]bool{}
	var missing []string
	for _, u := range uses {
		sub, name, found := strings.Cut(u, ":")
		if !found {
			sub, name = "", u
		}
		names, ok := byPkg[sub]
		if !ok {
			var err error
			if names, err = exportedNames(filepath.Join(moduleDir, filepath.FromSlash(sub))); err != nil {
				return nil, err
			}
			byPkg[sub] = names
		}
		if !names[name] {
			missing = append(missing, u)
		}
	}
	return missing, nil
}
