package intake

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The shape of the tree (ARCHITECTURE.md): the packages that read mail
// never import notify (only the workflow core, casework, composes mail),
// and nothing imports package main's directory. Test files count too.
func TestImportRules(t *testing.T) {
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		inIntake := strings.HasPrefix(rel, "intake/") && !strings.HasPrefix(rel, "intake/casework/")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "lexheller/cmd/") || p == "lexheller/cmd" {
				t.Errorf("%s imports %s: nothing imports package main's code", rel, p)
			}
			if inIntake && (p == "lexheller/notify" || strings.HasPrefix(p, "lexheller/notify/")) {
				t.Errorf("%s imports %s: the packages that read mail do not import notify (the core, intake/casework, does)", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the walk did not start at the module's root: %v", err)
	}
}
