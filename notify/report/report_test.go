package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"lexheller/intake/form"
	"lexheller/intake/store"
	"lexheller/templates"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var (
	from = time.Date(2026, 7, 1, 0, 0, 0, 0, templates.Stockholm)
	to   = time.Date(2026, 10, 1, 0, 0, 0, 0, templates.Stockholm)
)

// fixture is twelve cases: nine in July–September 2026, three in the
// quarter before; their descriptions name the reporter, and carry her
// e-mail, phone and a personnummer, none of which may reach a report.
func fixture() ([]*store.Case, []*store.Forward) {
	type c struct {
		day      int // days after from (negative: the period before)
		forbund  string
		parties  []string
		level    string
		themes   []string
		status   string
		answered int // days to FK's answer; 0 none, -1 not forwarded
	}
	spec := []c{
		{3, "goteborg", []string{"FK", "AF"}, "struktur", []string{"sjukskrivning"}, store.StatusClosed, 5},
		{10, "goteborg", []string{"FK", "AF"}, "organisering", []string{"sjukskrivning", "intyg"}, store.StatusAnswered, 12},
		{15, "goteborg", []string{"AF", "Kommun"}, "organisering", []string{"aktivitetsstöd"}, store.StatusForwarded, 0},
		{20, "boras", []string{"FK", "Region"}, "individ", []string{"intyg"}, store.StatusInDialogue, -1},
		{33, "boras", []string{"Kommun"}, "", nil, store.StatusNew, -1},
		{40, "goteborg", []string{"FK", "AF", "Kommun"}, "struktur", []string{"sjukskrivning"}, store.StatusAnswered, 20},
		{61, "goteborg", []string{"AF"}, "organisering", []string{"nyanlända"}, store.StatusClosed, -1},
		{75, "boras", []string{"FK", "AF"}, "organisering", []string{"sjukskrivning"}, store.StatusForwarded, 0},
		{88, "goteborg", []string{"Region", "Kommun"}, "struktur", []string{"psykiatri"}, store.StatusNew, -1},
		{-10, "goteborg", []string{"FK", "AF"}, "organisering", []string{"sjukskrivning"}, store.StatusClosed, -1},
		{-40, "boras", []string{"AF"}, "individ", nil, store.StatusClosed, -1},
		{-80, "goteborg", []string{"FK"}, "struktur", []string{"intyg"}, store.StatusClosed, -1},
	}
	var cases []*store.Case
	var fws []*store.Forward
	seq := 0
	for _, s := range spec {
		seq++
		created := from.Add(time.Duration(s.day)*24*time.Hour + 9*time.Hour)
		cs := &store.Case{
			ID: fmt.Sprintf("LH-2026-%04d", seq), Year: 2026, Seq: seq, Forbund: s.forbund, Status: s.status, Level: s.level,
			Parties: s.parties, Themes: s.themes, EventDate: created.Format(time.DateOnly),
			ReporterName: "Anna Andersson", ReporterEmail: "anna.andersson@af.example", ReporterPhone: "070-123 45 67",
			ReporterOrg: "AF Angered",
			Description: fmt.Sprintf("Anna Andersson (AF Angered, 070-123 45 67, anna.andersson@af.example) anmäler: ärende %d, "+
				"personen 850312-1231 fick beslut som inte hängde ihop.", seq),
			CreatedAt: created, UpdatedAt: created,
		}
		if s.status == store.StatusClosed {
			t := created.Add(30 * 24 * time.Hour)
			cs.ClosedAt = &t
		}
		cases = append(cases, cs)
		if s.answered >= 0 {
			f := &store.Forward{CaseID: cs.ID, Party: "FK", Address: "fk@fk.example", At: created.Add(24 * time.Hour)}
			if s.answered > 0 {
				a := f.At.Add(time.Duration(s.answered) * 24 * time.Hour)
				f.AnsweredAt = &a
			}
			fws = append(fws, f)
		}
	}
	return cases, fws
}

func build(lang string) *Report {
	cases, fws := fixture()
	return Build(cases, fws, Options{From: from, To: to, Lang: lang}, to)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

// noPersonalData fails when out holds anything of the reporter's.
func noPersonalData(t *testing.T, what, out string) {
	t.Helper()
	for _, p := range []string{"Anna", "Andersson", "AF Angered", "070-123", "anna.andersson", "@af.example"} {
		if strings.Contains(out, p) {
			t.Errorf("%s holds %q", what, p)
		}
	}
	if pii := form.FindPII(out); len(pii) > 0 {
		t.Errorf("%s holds %v", what, pii)
	}
}

func TestTextAndCSVGolden(t *testing.T) {
	for _, lang := range []string{"sv", "en"} {
		r := build(lang)
		var b bytes.Buffer
		if err := r.Text(&b); err != nil {
			t.Fatal(err)
		}
		golden(t, lang+".txt.golden", b.Bytes())
		noPersonalData(t, "text", b.String())
		b.Reset()
		if err := r.CSV(&b); err != nil {
			t.Fatal(err)
		}
		golden(t, lang+".csv.golden", b.Bytes())
		noPersonalData(t, "CSV", b.String())
	}
}

func TestCounts(t *testing.T) {
	r := build("sv")
	if r.Total != 9 || r.PrevTotal != 3 {
		t.Fatalf("totals %d, %d; want 9, 3", r.Total, r.PrevTotal)
	}
	dim := func(name string) map[string]Row {
		m := map[string]Row{}
		for _, d := range r.Dimensions {
			if d.Name == name {
				for _, row := range d.Rows {
					m[row.Key] = row
				}
			}
		}
		return m
	}
	if got := dim("parties")["FK"]; got.Now != 5 || got.Before != 2 {
		t.Errorf("FK: %+v", got)
	}
	if got := dim("pairs")["AF×FK"]; got.Now != 4 || got.Before != 1 {
		t.Errorf("AF×FK: %+v", got)
	}
	if got := dim("themes")["sjukskrivning"]; got.Now != 4 || got.Before != 1 || got.Change() != 3 {
		t.Errorf("sjukskrivning: %+v", got)
	}
	if got := dim("months")["2026-08"]; got.Now != 3 {
		t.Errorf("August: %+v", got)
	}
	if len(r.Timings) != 1 || r.Timings[0].Answered != 3 || r.Timings[0].Unanswered != 2 || Days(r.Timings[0].Median) != "12.0" {
		t.Errorf("FK timing: %+v", r.Timings)
	}
	if r.TopThemes[0].Theme != "sjukskrivning" || strings.Join(r.TopThemes[0].IDs, ",") != "LH-2026-0001,LH-2026-0002,LH-2026-0006,LH-2026-0008" {
		t.Errorf("top theme: %+v", r.TopThemes[0])
	}
	open := 0
	for _, row := range r.OpenByAge {
		open += row.Now
	}
	if open != 7 { // nine cases, two closed within the period
		t.Errorf("open cases: %d, want 7 (%+v)", open, r.OpenByAge)
	}
}

func TestXLSXReadBack(t *testing.T) {
	r := build("sv")
	var b bytes.Buffer
	if err := r.XLSX(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	want := []string{"Berörda parter", "Parter som berörs tillsammans", "Nivå", "Teman", "Förbund", "Månad",
		"Tid till första svar", "Öppna ärenden efter ålder dagar", "Ärenden"}
	if strings.Join(sheets, "|") != strings.Join(want, "|") {
		t.Errorf("sheets %q, want %q", sheets, want)
	}
	cell := func(sheet, at string) string {
		v, err := f.GetCellValue(sheet, at)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct{ sheet, at, want string }{
		{"Berörda parter", "A1", "Berörda parter"}, {"Berörda parter", "A2", "AF"}, {"Berörda parter", "B2", "6"},
		{"Berörda parter", "C2", "2"}, {"Berörda parter", "D2", "4"},
		{"Parter som berörs tillsammans", "A2", "AF×FK"}, {"Parter som berörs tillsammans", "B2", "4"},
		{"Tid till första svar", "A2", "FK"}, {"Tid till första svar", "C2", "12"},
		{"Ärenden", "A1", "Ärende"}, {"Ärenden", "A2", "LH-2026-0001"}, {"Ärenden", "E2", "FK, AF"},
		{"Ärenden", "G2", "sjukskrivning"}, {"Ärenden", "H2", "avslutad"}, {"Ärenden", "A10", "LH-2026-0009"},
		{"Ärenden", "A11", ""},
	} {
		if got := cell(c.sheet, c.at); got != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.at, got, c.want)
		}
	}
	rows, _ := f.GetRows("Ärenden")
	var all strings.Builder
	for _, row := range rows {
		all.WriteString(strings.Join(row, " ") + "\n")
	}
	noPersonalData(t, "XLSX", all.String())
}

func TestHTMLNumbersAndNoPersonalData(t *testing.T) {
	r := build("sv")
	var b bytes.Buffer
	if err := r.HTML(&b); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	var rows [][]string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			var cells []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					cells = append(cells, strings.TrimSpace(textOf(c)))
				}
			}
			rows = append(rows, cells)
		}
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "img" || n.Data == "link") {
			t.Errorf("the page is not self-contained: <%s>", n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	has := func(want ...string) {
		t.Helper()
		for _, row := range rows {
			if strings.Join(row, "|") == strings.Join(want, "|") {
				return
			}
		}
		t.Errorf("no row %q", want)
	}
	has("AF", "", "6", "2", "+4")
	has("AF×FK", "", "4", "1", "+3")
	has("sjukskrivning", "", "4", "1", "+3")
	has("2026-08", "", "3")
	has("FK", "12.0", "3", "2")
	noPersonalData(t, "HTML", text.String())
	if !strings.Contains(text.String(), "2026-07-01 – 2026-09-30") {
		t.Error("the period is not shown")
	}
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// BenchmarkReport50k builds and renders (text and XLSX) a report over
// 50,000 cases (target: under 2 s).
func BenchmarkReport50k(b *testing.B) {
	base, fws := fixture()
	var cases []*store.Case
	for i := 0; i < 50000; i++ {
		c := *base[i%len(base)]
		c.ID = fmt.Sprintf("LH-2026-%05d", i)
		c.CreatedAt = from.Add(time.Duration(i%365)*24*time.Hour).AddDate(0, -6, 0)
		cases = append(cases, &c)
	}
	b.ResetTimer()
	for b.Loop() {
		r := Build(cases, fws, Options{From: from, To: to, Lang: "sv"}, to)
		if err := r.Text(&bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
		if err := r.XLSX(&bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCSVQuotesFormulas(t *testing.T) {
	cases, _ := fixture()
	cases[0].Description = `=HYPERLINK("http://evil.example","klicka")`
	r := Build(cases, nil, Options{From: from, To: to, Lang: "sv"}, to)
	var b bytes.Buffer
	if err := r.CSV(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `;"'=HYPERLINK(""http://evil.example"",""klicka"")"`) {
		t.Errorf("formula not quoted:\n%s", b.String())
	}
}
