package publish

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"lexheller/intake/store"
)

func TestZZSnapshot(t *testing.T) {
	out := os.Getenv("LH_SNAP")
	if out == "" {
		t.Skip()
	}
	for _, lang := range []string{"sv", "en"} {
		dir := filepath.Join(out, "site-"+lang)
		os.MkdirAll(dir, 0o755)
		cases, fws := fixture()
		var pub []Case
		for _, c := range cases {
			if Eligible(c, fws[c.ID]) {
				pub = append(pub, FromStore(c, fws[c.ID], lang))
			}
		}
		at := time.Date(2026, 10, 14, 9, 0, 0, 0, time.UTC)
		ans := at.Add(72 * time.Hour)
		h := &store.Case{ID: "LH-2026-0009", Parties: []string{"<b>FK</b>", "AF"}, Themes: []string{"</title><script>"}, Level: "<!--",
			Description: "<img src=x onerror=alert(1)>\n\npara 2 " + string(make([]byte, 0)), Consequence: "x\n\ny", Suggestion: "<a href='javascript:alert(1)'>",
			PublishOK: true, Publish: true, CreatedAt: at}
		hf := []*store.Forward{{CaseID: h.ID, Party: "<FK>", At: at, AnsweredAt: &ans, Answer: "a\n\nb & c"}}
		pub = append(pub, FromStore(h, hf, lang))
		if err := Write(dir, Site{Title: "Besvarade <avvikelser> & co", BaseURL: "https://finsam.example/lh", Lang: lang}, pub); err != nil {
			t.Fatal(err)
		}
		dir2 := filepath.Join(out, "empty-"+lang)
		os.MkdirAll(dir2, 0o755)
		if err := Write(dir2, Site{Title: "T", Lang: lang}, nil); err != nil {
			t.Fatal(err)
		}
	}
}
