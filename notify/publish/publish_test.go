package publish

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lexheller/intake/form"
	"lexheller/intake/store"
)

func fixture() ([]*store.Case, map[string][]*store.Forward) {
	at := time.Date(2026, 10, 14, 9, 0, 0, 0, time.UTC)
	ans := at.Add(72 * time.Hour)
	mk := func(id string, publishOK, publish bool) *store.Case {
		return &store.Case{ID: id, Forbund: "goteborg", Status: store.StatusAnswered, Level: "organisering",
			Parties: []string{"FK", "AF"}, Themes: []string{"sjukskrivning"}, PublishOK: publishOK, Publish: publish,
			ReporterName: "Anna Andersson", ReporterOrg: "AF Angered", ReporterEmail: "anna@af.example", ReporterPhone: "070-123 45 67",
			Description: "Anna Andersson på AF Angered (070-123 45 67, anna@af.example) såg att personen 850312-1231 " +
				"fick avslag från FK samma vecka som AF skrev ut hen.\n\nAnna ringde FK utan svar.",
			Consequence: "Ingen ersättning; <script>alert(1)</script>", CreatedAt: at}
	}
	cases := []*store.Case{mk("LH-2026-0001", true, true), mk("LH-2026-0002", true, false), mk("LH-2026-0003", false, true),
		mk("LH-2026-0004", true, true)}
	fws := map[string][]*store.Forward{
		"LH-2026-0001": {{CaseID: "LH-2026-0001", Party: "FK", At: at, AnsweredAt: &ans,
			Answer: "Vi har pratat med Anna Andersson och ser över rutinen. Ring 010-111 22 33 vid frågor."}},
		"LH-2026-0002": {{CaseID: "LH-2026-0002", Party: "FK", At: at, AnsweredAt: &ans, Answer: "Svar."}},
		"LH-2026-0003": {{CaseID: "LH-2026-0003", Party: "FK", At: at, AnsweredAt: &ans, Answer: "Svar."}},
		"LH-2026-0004": {{CaseID: "LH-2026-0004", Party: "FK", At: at}}, // not answered yet
	}
	return cases, fws
}

func publishAll(t *testing.T, dir string, cases []*store.Case, fws map[string][]*store.Forward) {
	t.Helper()
	var pub []Case
	for _, c := range cases {
		if Eligible(c, fws[c.ID]) {
			pub = append(pub, FromStore(c, fws[c.ID], "sv"))
		}
	}
	if err := Write(dir, Site{Title: "Besvarade avvikelser", BaseURL: "https://finsam.example/lh", Lang: "sv"}, pub); err != nil {
		t.Fatal(err)
	}
}

func TestPublishDeidentifiedAndInPlace(t *testing.T) {
	dir := t.TempDir()
	cases, fws := fixture()
	publishAll(t, dir, cases, fws)

	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	var got []string
	for _, n := range names {
		got = append(got, filepath.Base(n))
	}
	if strings.Join(got, " ") != "LH-2026-0001.html feed.xml index.html" {
		t.Errorf("files: %v; only the answered case with both permissions is published", got)
	}
	var all strings.Builder
	for _, n := range names {
		b, _ := os.ReadFile(n)
		all.Write(b)
	}
	for _, p := range []string{"Anna", "Andersson", "AF Angered", "070-123", "anna@af.example", "010-111", "<script>"} {
		if strings.Contains(all.String(), p) {
			t.Errorf("the site holds %q", p)
		}
	}
	if pii := form.FindPII(all.String()); len(pii) > 0 {
		t.Errorf("the site holds %v", pii)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "LH-2026-0001.html"))
	for _, want := range []string{"oktober 2026", "FK, AF", "organisering", "sjukskrivning", "ser över rutinen", "fick avslag från FK"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}

	var feed struct {
		Entries []struct {
			ID   string `xml:"id"`
			Link struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "feed.xml"))
	if err := xml.Unmarshal(b, &feed); err != nil || len(feed.Entries) != 1 ||
		feed.Entries[0].Link.Href != "https://finsam.example/lh/LH-2026-0001.html" {
		t.Errorf("feed: %v %+v", err, feed)
	}

	// Re-run: case 1 withdrawn, case 4 answered and published.
	cases[0].Publish = false
	ans := time.Now()
	fws["LH-2026-0004"][0].AnsweredAt, fws["LH-2026-0004"][0].Answer = &ans, "Nu har vi svarat."
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("kept"), 0o644)
	publishAll(t, dir, cases, fws)
	if _, err := os.Stat(filepath.Join(dir, "LH-2026-0001.html")); err == nil {
		t.Error("a withdrawn case's page is still there")
	}
	if _, err := os.Stat(filepath.Join(dir, "LH-2026-0004.html")); err != nil {
		t.Error("the newly answered case is not published")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.txt")); err != nil {
		t.Error("a file of the operator's was removed")
	}
	idx, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if strings.Contains(string(idx), "LH-2026-0001") || !strings.Contains(string(idx), "LH-2026-0004") {
		t.Errorf("index after the re-run:\n%s", idx)
	}
}
