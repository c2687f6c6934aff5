package casework

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"lexheller/templates"
)

// Every text the core writes is a message of the catalogue: each key
// its code passes to p.text is one templates has.
func TestTextKeysInCatalogue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "text" || len(call.Args) == 0 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a text whose key is no constant string", file)
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			keys++
			if !templates.HasMessage(key) {
				t.Errorf("%s: the key %q is not in the catalogue (templates/messages.go)", file, key)
			}
			return true
		})
	}
	if keys < 40 {
		t.Errorf("found %d keys; is the core's helper still named text?", keys)
	}
}
