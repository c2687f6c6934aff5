package classify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"lexheller/intake/config"
	"lexheller/intake/ident"
	"lexheller/intake/parse"
)

// expectation is one entry of testdata/corpus/expect.json, written from
// FORM.md and DESIGN.md independently of this code.
type expectation struct {
	Kind             Kind           `json:"kind"`
	Case             string         `json:"case"`
	Fields           map[string]any `json:"fields"`
	Missing          []string       `json:"missing"`
	PII              []string       `json:"pii"`
	TextContains     []string       `json:"text_contains"`
	TextNotContains  []string       `json:"text_not_contains"`
	FieldsNotContain []string       `json:"fields_not_contain"`
	Note             string         `json:"note"`
}

func corpusOptions() *Options {
	return &Options{
		Address: "lexheller@finsam.example",
		Signer:  &ident.Signer{Domain: "finsam.example", Prefix: "LH"},
		Forbund: []config.Forbund{{Slug: "goteborg", Name: "Samordningsförbundet Göteborg",
			ProcessLeaders: []string{"processledare@goteborg.example"}}},
	}
}

func TestCorpus(t *testing.T) {
	dir := "../testdata/corpus"
	data, err := os.ReadFile(filepath.Join(dir, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	var expect map[string]expectation
	if err := json.Unmarshal(data, &expect); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(expect))
	for n := range expect {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < 50 {
		t.Fatalf("corpus has %d messages, want at least 50", len(names))
	}
	for _, name := range names {
		want := expect[name]
		t.Run(strings.TrimSuffix(name, ".eml"), func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := parse.Parse(f, nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			res, err := Classify(context.Background(), m, corpusOptions(), nil)
			if err != nil {
				t.Fatal(err)
			}
			rep := NewReport(m, res)
			if rep.Kind != want.Kind {
				t.Fatalf("kind = %s (%s), want %s (%s)", rep.Kind, rep.Reason, want.Kind, want.Note)
			}
			if want.Case != "" && (rep.Case == nil || *rep.Case != want.Case) {
				t.Errorf("case = %v, want %s", rep.Case, want.Case)
			}
			var got map[string]any
			if rep.Fields != nil {
				b, _ := json.Marshal(rep.Fields)
				_ = json.Unmarshal(b, &got)
			}
			for k, v := range want.Fields {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("fields.%s = %#v, want %#v", k, got[k], v)
				}
			}
			if want.Missing != nil {
				gotMissing := rep.Missing
				if gotMissing == nil {
					gotMissing = []string{}
				}
				if !sameSet(gotMissing, want.Missing) {
					t.Errorf("missing = %v, want %v", gotMissing, want.Missing)
				}
			}
			if want.PII != nil {
				var texts []string
				for _, p := range rep.PII {
					texts = append(texts, p.Text)
				}
				if texts == nil {
					texts = []string{}
				}
				if !reflect.DeepEqual(texts, want.PII) {
					t.Errorf("pii = %q, want %q", texts, want.PII)
				}
			}
			for _, s := range want.TextContains {
				if !strings.Contains(rep.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, rep.Text)
				}
			}
			for _, s := range want.TextNotContains {
				if strings.Contains(rep.Text, s) {
					t.Errorf("text has %q:\n%s", s, rep.Text)
				}
			}
			if rep.Fields != nil {
				b, _ := json.Marshal(rep.Fields)
				var flat map[string]any
				_ = json.Unmarshal(b, &flat)
				for _, s := range want.FieldsNotContain {
					for k, v := range flat {
						if str, ok := v.(string); ok && strings.Contains(str, s) {
							t.Errorf("fields.%s contains %q: %q", k, s, str)
						}
					}
				}
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return reflect.DeepEqual(a, b)
}
