package publish

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"lexheller/intake/store"
)

// FuzzPublish publishes cases whose texts are hostile (what happened, its
// consequence, the suggestion, a party's answer, parties and themes, the
// reporter's name and unit) into a temporary directory. Nothing may panic
// or fail; every page must have the markup of the same site with harmless
// texts (no tag, attribute or comment comes from a case), none may hold
// <script, and the feed must be well-formed XML with an entry a case.
func FuzzPublish(f *testing.F) {
	f.Add("Anna Andersson såg att personen 850312-1231 fick avslag.\n\nAnna ringde FK.", "Ingen ersättning; <script>alert(1)</script>",
		"Vi ser över rutinen.", "FK", "sjukskrivning", "Anna Andersson", "AF Angered", false)
	f.Add("<img src=x onerror=alert(1)>", `"><svg onload=alert(1)>`, "</p></div><script>alert(1)</script>", "<b>FK</b>",
		"</title><script>", "<!--", "<a href='javascript:alert(1)'>", true)
	f.Add("]]></summary><entry>", "\x00\x01\x1b\ufffe\xff", "<![CDATA[", "\u202e", "&amp;&lt;script&gt;", "", "", false)
	f.Add("", "", "", "", "", "", "", true)
	f.Add("\n\n\n\n", " \r\n \r\n ", strings.Repeat("ord ", 90), "x", strings.Repeat("å", 200), "A", "<", false)
	f.Fuzz(func(t *testing.T, desc, consequence, answer, party, theme, name, org string, english bool) {
		lang := "sv"
		if english {
			lang = "en"
		}
		at := time.Date(2026, 10, 14, 9, 0, 0, 0, time.UTC)
		ans := at.Add(72 * time.Hour)
		var pub []Case
		for i, id := range []string{"LH-2026-0001", "LH-2026-0002"} {
			c := &store.Case{ID: id, Forbund: "goteborg", Status: store.StatusAnswered, Level: theme,
				Parties: []string{party, "FK"}, Themes: []string{theme}, PublishOK: true, Publish: true,
				ReporterName: name, ReporterOrg: org, ReporterEmail: party + "@af.example", ReporterPhone: answer,
				Description: desc, Consequence: consequence, Suggestion: answer + desc, CreatedAt: at.AddDate(0, i, 0)}
			fws := []*store.Forward{{CaseID: id, Party: party, At: at, AnsweredAt: &ans, Answer: answer + "."}}
			if !Eligible(c, fws) {
				t.Fatalf("case %s is not eligible", id)
			}
			pub = append(pub, FromStore(c, fws, lang))
		}
		site := Site{Title: "Besvarade avvikelser", BaseURL: "https://finsam.example/lh", Lang: lang}
		dir := t.TempDir()
		if err := Write(dir, site, pub); err != nil {
			t.Fatalf("Write: %v", err)
		}
		safe := make([]Case, len(pub))
		for i, c := range pub {
			safe[i] = defangCase(c)
		}
		safeDir := t.TempDir()
		if err := Write(safeDir, site, safe); err != nil {
			t.Fatalf("Write of the defanged cases: %v", err)
		}

		names := files(t, dir)
		if got, want := strings.Join(names, " "), strings.Join(files(t, safeDir), " "); got != want || len(names) != len(pub)+2 {
			t.Fatalf("files %s, want %s", got, want)
		}
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.ToLower(string(b)), "<script") {
				t.Errorf("%s holds <script:\n%s", n, b)
			}
			if n == "feed.xml" {
				var feed struct {
					Entries []struct {
						Title   string `xml:"title"`
						Summary string `xml:"summary"`
					} `xml:"entry"`
				}
				if err := xml.Unmarshal(b, &feed); err != nil || len(feed.Entries) != len(pub) {
					t.Errorf("feed: %v, %d entries for %d cases:\n%s", err, len(feed.Entries), len(pub), b)
				}
				continue
			}
			s, err := os.ReadFile(filepath.Join(safeDir, n))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := markup(t, string(b)), markup(t, string(s)); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the texts changed the markup of %s:\n%s", n, b)
			}
		}
	})
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
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

func defangAll(l []string) []string {
	var out []string
	for _, s := range l {
		out = append(out, defang(s))
	}
	return out
}

func defangCase(c Case) Case {
	c.Month, c.Level = defang(c.Month), defang(c.Level)
	c.Parties, c.Themes = defangAll(c.Parties), defangAll(c.Themes)
	c.Description, c.Consequence, c.Suggestion = defang(c.Description), defang(c.Consequence), defang(c.Suggestion)
	var answers []Answer
	for _, a := range c.Answers {
		a.Party, a.Text = defang(a.Party), defang(a.Text)
		answers = append(answers, a)
	}
	c.Answers = answers
	return c
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
