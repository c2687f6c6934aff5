package report

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// names are the förbund's names; borås has none, to show its slug.
var names = map[string]string{"goteborg": "Samordningsförbundet Göteborg"}

func build(lang string) *Report {
	cases, fws := fixture()
	return Build(cases, fws, Options{From: from, To: to, Lang: lang, ForbundNames: names}, to)
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
		{"Ärenden", "G2", "sjukskrivning"}, {"Ärenden", "H2", templates.StatusName("sv", store.StatusClosed)}, {"Ärenden", "A10", "LH-2026-0009"},
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

// htmlPage renders r as HTML and returns its table rows (the trimmed text
// of each cell) and its text.
func htmlPage(t *testing.T, r *Report) (page string, rows [][]string, text string) {
	t.Helper()
	var b bytes.Buffer
	if err := r.HTML(&b); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var tb strings.Builder
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
			tb.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String(), rows, tb.String()
}

func hasRow(t *testing.T, rows [][]string, want ...string) {
	t.Helper()
	for _, row := range rows {
		if strings.Join(row, "|") == strings.Join(want, "|") {
			return
		}
	}
	t.Errorf("no row %q", want)
}

func render(t *testing.T, r *Report, f func(*Report, io.Writer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := f(r, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func openXLSX(t *testing.T, r *Report) *excelize.File {
	t.Helper()
	var b bytes.Buffer
	if err := r.XLSX(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func sheetRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// newRegister is a register started on 2026-03-01: three cases in March,
// none before, reported for January–June.
func newRegister(lang string) *Report {
	cases, fws := fixture()
	var in []*store.Case
	for i, c := range cases[:3] {
		c.CreatedAt = time.Date(2026, 3, 2+i*10, 9, 0, 0, 0, templates.Stockholm)
		in = append(in, c)
	}
	return Build(in, fws, Options{From: time.Date(2026, 1, 1, 0, 0, 0, 0, templates.Stockholm),
		To: time.Date(2026, 7, 1, 0, 0, 0, 0, templates.Stockholm), Lang: lang, ForbundNames: names}, to)
}

// With no case before the period, nothing is compared: the "before" and
// "change" cells are dashes (text, HTML) or empty (XLSX), never 0 and +N.
func TestNoPeriodBefore(t *testing.T) {
	for _, lang := range []string{"sv", "en"} {
		r := newRegister(lang)
		text := render(t, r, (*Report).Text)
		golden(t, lang+"-new.txt.golden", []byte(text))
		if strings.Contains(text, "+") {
			t.Errorf("%s: the text shows a change:\n%s", lang, text)
		}
		if want := r.say("Ärenden: 3 (inga ärenden perioden före)", "Cases: 3 (no cases the period before)"); !strings.Contains(text, want) {
			t.Errorf("%s: no %q in\n%s", lang, want, text)
		}
	}
	r := newRegister("sv")
	_, rows, text := htmlPage(t, r)
	hasRow(t, rows, "FK", "", "2", "–", "–")
	hasRow(t, rows, "Samordningsförbundet Göteborg", "", "3", "–", "–")
	if !strings.Contains(text, "(inga ärenden perioden före)") {
		t.Error("the HTML does not say there is no period before")
	}
	x := openXLSX(t, r)
	for _, sheet := range []string{"Berörda parter", "Nivå", "Teman", "Förbund"} {
		rows := sheetRows(t, x, sheet)
		if len(rows) < 2 {
			t.Fatalf("%s: %q", sheet, rows)
		}
		for _, row := range rows[1:] {
			if len(row) > 2 && strings.Join(row[2:], "") != "" {
				t.Errorf("%s: before or change filled in: %q", sheet, row)
			}
		}
	}
}

// A förbund without cases before (it did not use the register yet) shows
// no change; one with cases before does.
func TestNewForbund(t *testing.T) {
	cases, fws := fixture()
	cases = slices.DeleteFunc(cases, func(c *store.Case) bool { return c.Forbund == "boras" && c.CreatedAt.Before(from) })
	r := Build(cases, fws, Options{From: from, To: to, Lang: "sv"}, to)
	text := render(t, r, (*Report).Text)
	for _, want := range []string{"  goteborg                             6  före     2     +4\n",
		"  boras                                3  före     –      –\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	_, rows, _ := htmlPage(t, r)
	hasRow(t, rows, "goteborg", "", "6", "2", "+4")
	hasRow(t, rows, "boras", "", "3", "–", "–")
	x := openXLSX(t, r)
	if got := sheetRows(t, x, "Förbund"); fmt.Sprint(got) != "[[Förbund Perioden Perioden före Förändring] [goteborg 6 2 4] [boras 3]]" {
		t.Errorf("Förbund sheet: %q", got)
	}
}

// A change is not coloured as good or bad: no red, no green, no class.
func TestHTMLChangeNeutral(t *testing.T) {
	page, _, _ := htmlPage(t, build("sv"))
	for _, bad := range []string{"#a23b2a", "#2a7a3b", `class="n up"`, `class="n down"`, ".up{", "color:red"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if !strings.Contains(page, `<td class="n">&#43;4</td>`) {
		t.Error(`no neutral "+4" cell`)
	}
}

func TestForbundNames(t *testing.T) {
	cases, fws := fixture()
	r := Build(cases, fws, Options{From: from, To: to, Lang: "sv", Forbund: []string{"goteborg", "boras"}, ForbundNames: names}, to)
	text := render(t, r, (*Report).Text)
	if !strings.Contains(text, "Förbund: Samordningsförbundet Göteborg, boras\n") {
		t.Errorf("text header:\n%s", text)
	}
	if strings.Contains(text, "goteborg") {
		t.Errorf("the text shows the slug:\n%s", text)
	}
	if csv := render(t, r, (*Report).CSV); strings.Contains(csv, "goteborg") || !strings.Contains(csv, ";Samordningsförbundet Göteborg;") {
		t.Errorf("CSV:\n%s", csv)
	}
	page, rows, htext := htmlPage(t, r)
	if strings.Contains(page, "goteborg") || !strings.Contains(htext, "· Samordningsförbundet Göteborg, boras") {
		t.Errorf("HTML:\n%s", page)
	}
	hasRow(t, rows, "Samordningsförbundet Göteborg", "", "6", "2", "+4")
	x := openXLSX(t, r)
	if got := sheetRows(t, x, "Förbund"); fmt.Sprint(got[1:]) != "[[Samordningsförbundet Göteborg 6 2 4] [boras 3 1 2]]" {
		t.Errorf("Förbund sheet: %q", got)
	}
	if v, _ := x.GetCellValue("Ärenden", "D2"); v != "Samordningsförbundet Göteborg" {
		t.Errorf("Ärenden!D2 = %q", v)
	}
	if got := (Options{ForbundNames: map[string]string{"boras": " "}}).ForbundName("boras"); got != "boras" {
		t.Errorf("a blank name: %q, want the slug", got)
	}
}

// The month table lists every month of the period, zeros too.
func TestEveryMonth(t *testing.T) {
	r := newRegister("sv")
	want := "[{2026-01 0 0 false} {2026-02 0 0 false} {2026-03 3 0 false} {2026-04 0 0 false} {2026-05 0 0 false} {2026-06 0 0 false}]"
	for _, d := range r.Dimensions {
		if d.Name == "months" && fmt.Sprint(d.Rows) != want {
			t.Errorf("months %v, want %s", d.Rows, want)
		}
	}
	_, rows, _ := htmlPage(t, r)
	hasRow(t, rows, "2026-01", "", "0")
	hasRow(t, rows, "2026-06", "", "0")
	x := openXLSX(t, r)
	if got := sheetRows(t, x, "Månad"); fmt.Sprint(got) != "[[Månad Perioden] [2026-01 0] [2026-02 0] [2026-03 3] [2026-04 0] [2026-05 0] [2026-06 0]]" {
		t.Errorf("Månad sheet: %q", got)
	}

	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, templates.Stockholm) }
	for _, c := range []struct {
		from, to time.Time
		want     string
	}{
		{day(2026, 1, 1), day(2026, 7, 1), "[2026-01 2026-02 2026-03 2026-04 2026-05 2026-06]"},
		{day(2026, 1, 15), day(2026, 3, 2), "[2026-01 2026-02 2026-03]"}, // the period ends on 1 March
		{day(2025, 11, 1), day(2026, 2, 1), "[2025-11 2025-12 2026-01]"},
		{day(2026, 1, 1).UTC(), day(2026, 2, 1).UTC(), "[2026-01]"}, // 23:00 UTC is midnight in Stockholm
		{day(2026, 3, 1), day(2026, 3, 1), "[]"},
	} {
		if got := fmt.Sprint(months(c.from, c.to)); got != c.want {
			t.Errorf("months(%v, %v) = %s, want %s", c.from, c.to, got, c.want)
		}
	}
}

// The unset level reads "Nivå ej satt än" in the table and on the cases sheet.
func TestLevelNotSet(t *testing.T) {
	for lang, want := range map[string]string{"sv": "Nivå ej satt än", "en": "Level not set yet"} {
		r := build(lang)
		if got := r.Cases[4].Level; got != want {
			t.Errorf("%s: case 5's level %q, want %q", lang, got, want)
		}
		_, rows, _ := htmlPage(t, r)
		hasRow(t, rows, want, "", "1", "0", "+1")
		x := openXLSX(t, r)
		found := false
		for _, row := range sheetRows(t, x, sheetName(Title(lang, "levels"))) {
			found = found || row[0] == want
		}
		if !found {
			t.Errorf("%s: no %q on the levels sheet", lang, want)
		}
		if v, _ := x.GetCellValue(Title(lang, "cases"), "F6"); v != want {
			t.Errorf("%s: the cases sheet's level of case 5: %q", lang, v)
		}
	}
}

// The HTML report offers, for the top five themes, at most two published
// cases each, de-identified and shortened; no other format shows them.
func TestHTMLExamples(t *testing.T) {
	cases, fws := fixture()
	publish := func(i int, publish, ok bool) { cases[i].Publish, cases[i].PublishOK = publish, ok }
	publish(0, true, true)                 // sjukskrivning, the oldest of three: left out
	publish(1, true, true)                 // sjukskrivning and intyg
	publish(5, true, true)                 // sjukskrivning, the latest published
	publish(7, true, false)                // sjukskrivning: the reporter did not agree
	publish(3, false, true)                // intyg: the process leader did not publish it
	publish(2, true, true)                 // aktivitetsstöd
	publish(9, true, true)                 // sjukskrivning, the period before
	cases[4].Themes = []string{"återkrav"} // the sixth theme
	publish(4, true, true)
	cases[5].Description += " " + strings.Repeat("Beslutet kom sent och ingen visste vem som ägde frågan. ", 10)
	cases[2].Description = "<script>alert(1)</script> & <b>fet</b>"
	r := Build(cases, fws, Options{From: from, To: to, Lang: "sv"}, to)

	want := "[{sjukskrivning [LH-2026-0006 LH-2026-0002]} {aktivitetsstöd [LH-2026-0003]}]"
	var got []string
	for _, te := range r.Examples {
		var ids []string
		for _, c := range te.Cases {
			ids = append(ids, c.ID)
		}
		got = append(got, fmt.Sprintf("{%s %v}", te.Theme, ids))
	}
	if g := "[" + strings.Join(got, " ") + "]"; g != want {
		t.Errorf("examples %s, want %s", g, want)
	}
	long := r.Examples[0].Cases[0]
	if n := utf8.RuneCountInString(long.Description); n > 301 || n < 200 || !strings.HasSuffix(long.Description, "…") {
		t.Errorf("the long description (%d runes): %q", n, long.Description)
	}
	if !strings.HasPrefix(long.Description, "[…] ([…], [telefon], [e-post]) anmäler: ärende 6, personen ÅÅMMDD-XXXX") {
		t.Errorf("not de-identified as the cases sheet: %q", long.Description)
	}
	if long.Month != "augusti 2026" {
		t.Errorf("month %q", long.Month)
	}

	page, _, text := htmlPage(t, r)
	noPersonalData(t, "HTML", text)
	for _, w := range []string{"Exempel att diskutera", "sjukskrivning", "LH-2026-0006", "augusti 2026", "ärende 2, personen ÅÅMMDD-XXXX",
		"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;"} {
		if !strings.Contains(page, w) {
			t.Errorf("the page has no %q", w)
		}
	}
	if i, j := strings.Index(page, "<h3>sjukskrivning</h3>"), strings.Index(page, "<h3>aktivitetsstöd</h3>"); i < 0 || j < i {
		t.Error("the themes are not in order")
	}
	for _, not := range []string{"<script", "<b>fet", "återkrav</h3>", "<h3>intyg", "ärende 1,", "ärende 8,", "ärende 4,", "ärende 10,"} {
		if strings.Contains(page, not) {
			t.Errorf("the page holds %q", not)
		}
	}
	if text := render(t, r, (*Report).Text); strings.Contains(text, "anmäler") || strings.Contains(text, "Exempel") {
		t.Errorf("the text shows examples:\n%s", text)
	}
	x := openXLSX(t, r)
	if len(x.GetSheetList()) != 9 {
		t.Errorf("sheets %q", x.GetSheetList())
	}

	// No published case: the page says so.
	_, _, text = htmlPage(t, build("sv"))
	if !strings.Contains(text, "Inget publicerat ärende bland de vanligaste temana.") {
		t.Error("no word that there is no example")
	}
}

func TestShorten(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"kort  text\n\nrad två", 300, "kort text rad två"},
		{"ett två tre fyra", 12, "ett två tre…"},
		{strings.Repeat("å", 20), 10, strings.Repeat("å", 10) + "…"},
		{"abc defghijklmnop", 10, "abc defghi…"}, // a space too early: cut in the word
	} {
		if got := shorten(c.in, c.n); got != c.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// The party × level table, each party's 12-month line, and the forward
// counts, which are CountForwards' (the digests' and agendas').
func TestPartiesLevelsTrendsForwards(t *testing.T) {
	r := build("sv")
	levels := map[string][]int{}
	for _, pl := range r.PartyLevels {
		levels[pl.Party] = pl.Counts
	}
	// Struktur, organisering, individ, vet ej, not set: the nine cases of the period.
	for party, want := range map[string][]int{"FK": {2, 2, 1, 0, 0}, "AF": {2, 4, 0, 0, 0}, "Kommun": {2, 1, 0, 0, 1}, "Region": {1, 0, 1, 0, 0}} {
		if fmt.Sprint(levels[party]) != fmt.Sprint(want) {
			t.Errorf("%s by level %v, want %v", party, levels[party], want)
		}
	}
	var fk *PartyTrend
	for i := range r.Trends {
		if r.Trends[i].Party == "FK" {
			fk = &r.Trends[i]
		}
	}
	if fk == nil || len(fk.Months) != 12 || fk.Months[0] != "2025-10" || fk.Months[11] != "2026-09" {
		t.Fatalf("FK's trend: %+v", fk)
	}
	// FK: two in the quarter before (April and June), five in the period
	// (three in July, one in August, one in September).
	if fk.Total() != 7 || fmt.Sprint(fk.Counts) != "[0 0 0 0 0 0 1 0 1 3 1 1]" {
		t.Errorf("FK's months %v (total %d)", fk.Counts, fk.Total())
	}
	svg := string(fk.SVG())
	if !strings.Contains(svg, "<polyline points=") || !strings.Contains(svg, `aria-label="2025-10: 0,`) || strings.Count(svg, ",") < 12 {
		t.Errorf("FK's line: %s", svg)
	}
	cases, fws := fixture()
	byID := map[string]*store.Case{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	if want := CountForwards(fws, byID, from, to); fmt.Sprint(r.Forwards) != fmt.Sprint(want) || len(want) != 1 || want[0].Open != 2 || want[0].AnsweredSince != 3 {
		t.Errorf("forward counts %v, want %v (FK: 2 waiting, 3 answered)", r.Forwards, want)
	}
	var html bytes.Buffer
	if err := r.HTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Parter och nivå", "<polyline", "Ej satt än", "Vidarebefordrade ärenden"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
}

// A report of nothing renders in every format.
func TestEmptyReportRenders(t *testing.T) {
	r := Build(nil, nil, Options{From: from, To: to, Lang: "sv"}, to)
	var b bytes.Buffer
	for name, render := range map[string]func(io.Writer) error{"text": r.Text, "csv": r.CSV, "xlsx": r.XLSX, "html": r.HTML} {
		b.Reset()
		if err := render(&b); err != nil || b.Len() == 0 {
			t.Errorf("%s: %v (%d bytes)", name, err, b.Len())
		}
	}
}
