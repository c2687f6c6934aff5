package devmail

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The dev mode's example gets a new Message-ID each start (the dev
// database remembers the last one) and keeps what the user wrote.
func TestExampleGetsANewMessageID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exempel.eml")
	if err := writeExample(path, "anna@lexheller.localhost", "lexheller@lexheller.localhost"); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	edited := strings.Replace(string(first), "Personen blev sjukskriven", "Min egen text", 1)
	os.WriteFile(path, []byte(edited), 0o600)
	if err := writeExample(path, "anna@lexheller.localhost", "lexheller@lexheller.localhost"); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(path)
	id := regexp.MustCompile(`(?m)^Message-ID: (.*)$`)
	a, b := id.FindStringSubmatch(string(first)), id.FindStringSubmatch(string(second))
	if a == nil || b == nil || a[1] == b[1] || !strings.Contains(string(second), "Min egen text") {
		t.Errorf("first %q, second %q", a, b)
	}
}
