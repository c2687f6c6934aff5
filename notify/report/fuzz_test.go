package report

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"lexheller/intake/store"
)

// FuzzReport builds a report from cases whose texts are hostile (they come
// from mail, commands and imported sheets: parties, themes, förbund,
// level, status, description, the reporter's name) and renders it in
// every format. Nothing may panic or fail; the HTML page must have the
// markup of the same report with harmless texts (no tag, attribute or
// comment comes from a case); the CSV must read back to the cases with
// every would-be formula quoted; the XLSX must open and hold the cases.
func FuzzReport(f *testing.F) {
	f.Add("FK", "sjukskrivning", "goteborg", "organisering", store.StatusNew, "Beskrivning.", "Anna Andersson", false)
	f.Add("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", `"><svg onload=alert(1)>`, "</td></tr></table><script>",
		"<!--", "=HYPERLINK(\"http://evil.example\",\"klicka\")", "<b>Anna</b>", true)
	f.Add("</style><script>", "<SCRIPT>", "&lt;script&gt;", "\x00<scr\x00ipt>", "</title><script>x</script>",
		"\t=1+1\r\n@SUM(A1)", "-2+3", false)
	f.Add("", "", "", "", "", "", "", true)
	f.Add("x×y", "sjuk;skrivning", "Göteborg\u202e", "\ufeff", "avslutad", strings.Repeat("ord ", 40)+"\n\n+46 70 123 45 67", "'", false)
	f.Fuzz(func(t *testing.T, party, theme, forbund, level, status, desc, name string, english bool) {
		lang := "sv"
		if english {
			lang = "en"
		}
		r := Build(hostileCases(party, theme, forbund, level, status, desc, name), hostileForwards(party), Options{From: from, To: to, Lang: lang}, to)

		var b bytes.Buffer
		if err := r.Text(&b); err != nil {
			t.Fatalf("Text: %v", err)
		}

		b.Reset()
		if err := r.HTML(&b); err != nil {
			t.Fatalf("HTML: %v", err)
		}
		page := b.String()
		if strings.Contains(strings.ToLower(page), "<script") {
			t.Errorf("the HTML page holds <script:\n%s", page)
		}
		var safe bytes.Buffer
		if err := defanged(r).HTML(&safe); err != nil {
			t.Fatalf("HTML of the defanged report: %v", err)
		}
		got, want := markup(t, page), markup(t, safe.String())
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("the texts changed the page's markup:\n%s", page)
		}

		b.Reset()
		if err := r.CSV(&b); err != nil {
			t.Fatalf("CSV: %v", err)
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff")))
		cr.Comma = ';'
		rows, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("the CSV does not read back: %v\n%q", err, b.String())
		}
		if len(rows) != len(r.Cases)+1 {
			t.Fatalf("CSV has %d rows for %d cases", len(rows), len(r.Cases))
		}
		for i, c := range r.Cases {
			for j, v := range c.cells() {
				cell := rows[i+1][j]
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("CSV cell %q starts like a formula", cell)
				}
				// encoding/csv writes a line break as CRLF and drops a lone CR.
				if v = strings.ReplaceAll(v, "\r", ""); cell != v && cell != "'"+v {
					t.Errorf("CSV cell %q, want %q", cell, v)
				}
			}
		}

		b.Reset()
		if err := r.XLSX(&b); err != nil {
			t.Fatalf("XLSX: %v", err)
		}
		x, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatalf("the XLSX does not open: %v", err)
		}
		defer x.Close()
		xrows, err := x.GetRows(Title(lang, "cases"))
		if err != nil {
			t.Fatalf("the cases sheet does not read: %v", err)
		}
		if len(xrows) != len(r.Cases)+1 {
			t.Fatalf("the cases sheet has %d rows for %d cases", len(xrows), len(r.Cases))
		}
		for i, c := range r.Cases {
			for j, v := range c.cells() {
				cell := ""
				if j < len(xrows[i+1]) {
					cell = xrows[i+1][j]
				}
				if v = xmlText(v); cell != v && len(v) < 30000 {
					t.Errorf("XLSX cell %q, want %q", cell, v)
				}
			}
		}
	})
}

// hostileCases are cases in the report's period and the one before
// carrying the fuzzed texts where mail, commands or a sheet put text.
func hostileCases(party, theme, forbund, level, status, desc, name string) []*store.Case {
	mk := func(id string, at time.Time, parties, themes []string) *store.Case {
		return &store.Case{ID: id, Forbund: forbund, Status: status, Level: level, Parties: parties, Themes: themes,
			EventDate: desc, ReporterName: name, ReporterOrg: theme, ReporterEmail: party, Description: desc + " " + name,
			CreatedAt: at, UpdatedAt: at}
	}
	closed := to.Add(-24 * time.Hour)
	cases := []*store.Case{
		mk("LH-2026-0001", from.Add(48*time.Hour), []string{party, "FK"}, []string{theme, theme + "x"}),
		mk("LH-2026-0002", from.Add(30*24*time.Hour), []string{"AF", party}, []string{theme}),
		mk("LH-2026-0003", from.Add(-24*time.Hour), []string{party}, []string{"intyg", theme}),
		mk(desc, from.Add(50*24*time.Hour), nil, nil),
	}
	cases[1].ClosedAt = &closed
	return cases
}

func hostileForwards(party string) []*store.Forward {
	at := from.Add(72 * time.Hour)
	ans := at.Add(5 * 24 * time.Hour)
	return []*store.Forward{
		{CaseID: "LH-2026-0001", Party: party, At: at, AnsweredAt: &ans, Answer: party},
		{CaseID: "LH-2026-0002", Party: party, At: at},
		{CaseID: "LH-2026-0001", Party: "FK", At: at},
	}
}

// xmlText is s as XML can carry it: what is not a character of XML 1.0
// becomes U+FFFD, as excelize writes it.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff {
			return r
		}
		return '\ufffd'
	}, s)
}

// defang returns s with every character that means something in HTML
// replaced by one that does not, its length and its spaces kept.
func defang(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("<>&\"'`=/", r) {
			return 'x'
		}
		return r
	}, s)
}

// defanged returns a copy of r with every text defanged, in the same order.
func defanged(r *Report) *Report {
	d := *r
	d.Forbund = nil
	for _, f := range r.Forbund {
		d.Forbund = append(d.Forbund, defang(f))
	}
	d.Dimensions = nil
	for _, dim := range r.Dimensions {
		nd := Dimension{Name: dim.Name}
		for _, row := range dim.Rows {
			row.Key = defang(row.Key)
			nd.Rows = append(nd.Rows, row)
		}
		d.Dimensions = append(d.Dimensions, nd)
	}
	d.Timings = nil
	for _, tm := range r.Timings {
		tm.Party = defang(tm.Party)
		d.Timings = append(d.Timings, tm)
	}
	d.TopThemes = nil
	for _, th := range r.TopThemes {
		nt := ThemeCases{Theme: defang(th.Theme)}
		for _, id := range th.IDs {
			nt.IDs = append(nt.IDs, defang(id))
		}
		d.TopThemes = append(d.TopThemes, nt)
	}
	return &d
}

// markup lists the tags (with their attribute names), comments and
// doctypes of a page, in order: what a text must not add to or change.
func markup(t *testing.T, page string) []string {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	var out []string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("the page does not tokenize: %v", z.Err())
			}
			return out
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			s := tt.String() + " " + string(name)
			for more {
				var k []byte
				k, _, more = z.TagAttr()
				s += " " + string(k)
			}
			out = append(out, s)
		case html.CommentToken, html.DoctypeToken:
			out = append(out, tt.String())
		}
	}
}
