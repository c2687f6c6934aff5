// Package report counts cases for the working group's pattern report: by
// party, pair of parties, level, theme, förbund and month, each beside the
// previous period of the same length; the time to a party's first answer;
// open cases by age; the most frequent themes. It renders the report as
// text, CSV (the cases), XLSX and a self-contained HTML page. No report
// holds personal data: free text is de-identified, names are left out.
package report

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"lexheller/intake/form"
	"lexheller/intake/store"
	"lexheller/templates"
)

// Options choose the period and the förbund.
type Options struct {
	From, To time.Time // [From, To); zero To means now, zero From a year before To
	Forbund  []string  // slugs; none means all
	Lang     string
	// ForbundNames are the förbund's names as a person reads them, by
	// slug; a slug not in it is shown as it is.
	ForbundNames map[string]string
}

// ForbundName is the name of the förbund slug, or the slug when it has none.
func (o Options) ForbundName(slug string) string {
	if n := strings.TrimSpace(o.ForbundNames[slug]); n != "" {
		return n
	}
	return slug
}

// Row is one value of a dimension in the period and the one before.
type Row struct {
	Key    string
	Now    int
	Before int
	// HasBefore is whether there is a period before to compare with: it
	// has cases (for a förbund: cases of that förbund). Without it,
	// Before and Change mean nothing and are not shown: 0 before beside
	// +26 would read as an alarm where the register was simply new.
	HasBefore bool
}

// Change is Now minus Before.
func (r Row) Change() int { return r.Now - r.Before }

// Dimension is one table of the report.
type Dimension struct {
	Name string // "parties", "pairs", "levels", "themes", "forbund", "months"
	Rows []Row
}

// Timing is how long a party takes to answer its first forward of a case.
type Timing struct {
	Party      string
	Answered   int
	Median     time.Duration
	Unanswered int
}

// ThemeCases is a theme with the cases that have it.
type ThemeCases struct {
	Theme string
	IDs   []string
}

// Example is a published case shown to the working group as an example of
// a theme: its number, its month and its description de-identified.
type Example struct {
	ID, Month, Description string
}

// ThemeExamples are examples of one of the top themes.
type ThemeExamples struct {
	Theme string
	Cases []Example
}

// CaseRow is one case as the cases sheet shows it: no names, no contact
// details, its free text de-identified.
type CaseRow struct {
	ID, Created, EventDate, Forbund, Parties, Level, Themes, Status, Description string
}

// Report is the whole report.
type Report struct {
	Options
	PrevFrom, PrevTo time.Time
	Total, PrevTotal int
	Dimensions       []Dimension
	Timings          []Timing
	OpenByAge        []Row // Now only
	TopThemes        []ThemeCases
	// Examples are, for the most frequent themes, a few published cases
	// to discuss at the meeting. Only the HTML report shows them.
	Examples []ThemeExamples
	Cases    []CaseRow
}

// Build computes the report from every case and forward. now is the clock.
func Build(cases []*store.Case, forwards []*store.Forward, o Options, now time.Time) *Report {
	if o.To.IsZero() {
		o.To = now
	}
	if o.From.IsZero() {
		o.From = o.To.AddDate(-1, 0, 0)
	}
	r := &Report{Options: o}
	length := o.To.Sub(o.From)
	r.PrevFrom, r.PrevTo = o.From.Add(-length), o.From
	wanted := func(c *store.Case) bool { return len(o.Forbund) == 0 || slices.Contains(o.Forbund, c.Forbund) }

	counts := map[string]map[string]*Row{}
	add := func(dim, key string, now bool) {
		if counts[dim] == nil {
			counts[dim] = map[string]*Row{}
		}
		row := counts[dim][key]
		if row == nil {
			row = &Row{Key: key}
			counts[dim][key] = row
		}
		if now {
			row.Now++
		} else {
			row.Before++
		}
	}
	themes := map[string][]string{}
	byID := map[string]*store.Case{}
	for _, c := range cases {
		if !wanted(c) {
			continue
		}
		byID[c.ID] = c
		in := !c.CreatedAt.Before(o.From) && c.CreatedAt.Before(o.To)
		prev := !c.CreatedAt.Before(r.PrevFrom) && c.CreatedAt.Before(r.PrevTo)
		if !in && !prev {
			continue
		}
		if in {
			r.Total++
			r.Cases = append(r.Cases, caseRow(c, o))
			for _, t := range themesOf(c) {
				themes[t] = append(themes[t], c.ID)
			}
		} else {
			r.PrevTotal++
		}
		for _, p := range c.Parties {
			add("parties", p, in)
		}
		ps := slices.Sorted(slices.Values(c.Parties))
		for i := range ps {
			for j := i + 1; j < len(ps); j++ {
				add("pairs", ps[i]+"×"+ps[j], in)
			}
		}
		add("levels", levelName(o.Lang, c.Level), in)
		for _, t := range themesOf(c) {
			add("themes", t, in)
		}
		add("forbund", c.Forbund, in)
		if in {
			add("months", c.CreatedAt.In(templates.Stockholm).Format("2006-01"), true)
		}
	}
	// Every month of the period, those without cases too.
	if counts["months"] == nil {
		counts["months"] = map[string]*Row{}
	}
	for _, m := range months(o.From, o.To) {
		if counts["months"][m] == nil {
			counts["months"][m] = &Row{Key: m}
		}
	}
	for _, dim := range []string{"parties", "pairs", "levels", "themes", "forbund", "months"} {
		d := Dimension{Name: dim}
		for _, row := range counts[dim] {
			switch dim {
			case "months": // the period only
			case "forbund":
				// A förbund without cases before most likely did not
				// use the register yet.
				row.HasBefore = r.PrevTotal > 0 && row.Before > 0
				row.Key = o.ForbundName(row.Key)
			default:
				row.HasBefore = r.PrevTotal > 0
			}
			d.Rows = append(d.Rows, *row)
		}
		slices.SortFunc(d.Rows, func(a, b Row) int {
			if dim == "months" {
				return strings.Compare(a.Key, b.Key)
			}
			if c := cmp.Compare(b.Now, a.Now); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
		r.Dimensions = append(r.Dimensions, d)
	}

	// Time to a party's first answer, for cases of the period.
	first := map[string]*store.Forward{} // case+party → its first forward
	for _, f := range forwards {
		c := byID[f.CaseID]
		if c == nil || c.CreatedAt.Before(o.From) || !c.CreatedAt.Before(o.To) {
			continue
		}
		k := f.CaseID + "/" + f.Party
		if g := first[k]; g == nil || f.At.Before(g.At) {
			first[k] = f
		}
	}
	waits := map[string][]time.Duration{}
	unanswered := map[string]int{}
	for _, f := range first {
		if _, listed := waits[f.Party]; !listed {
			waits[f.Party] = nil
		}
		if f.AnsweredAt == nil {
			unanswered[f.Party]++
			continue
		}
		waits[f.Party] = append(waits[f.Party], f.AnsweredAt.Sub(f.At))
	}
	for party, ws := range waits {
		t := Timing{Party: party, Answered: len(ws), Unanswered: unanswered[party]}
		if len(ws) > 0 {
			slices.Sort(ws)
			t.Median = ws[len(ws)/2]
			if len(ws)%2 == 0 {
				t.Median = (ws[len(ws)/2-1] + ws[len(ws)/2]) / 2
			}
		}
		r.Timings = append(r.Timings, t)
	}
	slices.SortFunc(r.Timings, func(a, b Timing) int { return strings.Compare(a.Party, b.Party) })

	// Open cases by age, at the end of the period.
	ages := []struct {
		key  string
		upTo time.Duration
	}{{"< 14", 14 * day}, {"14–30", 30 * day}, {"30–90", 90 * day}, {"> 90", 1 << 62}}
	open := make([]Row, len(ages))
	for i, a := range ages {
		open[i].Key = a.key
	}
	for _, c := range byID {
		if c.CreatedAt.After(o.To) || (c.ClosedAt != nil && c.ClosedAt.Before(o.To)) {
			continue
		}
		age := o.To.Sub(c.CreatedAt)
		for i, a := range ages {
			if age < a.upTo {
				open[i].Now++
				break
			}
		}
	}
	r.OpenByAge = open

	for t, ids := range themes {
		sort.Strings(ids)
		r.TopThemes = append(r.TopThemes, ThemeCases{t, ids})
	}
	slices.SortFunc(r.TopThemes, func(a, b ThemeCases) int {
		if c := cmp.Compare(len(b.IDs), len(a.IDs)); c != 0 {
			return c
		}
		return strings.Compare(a.Theme, b.Theme)
	})
	if len(r.TopThemes) > 10 {
		r.TopThemes = r.TopThemes[:10]
	}
	r.Examples = examples(r.TopThemes, byID, o.Lang)
	slices.SortFunc(r.Cases, func(a, b CaseRow) int { return strings.Compare(a.ID, b.ID) })
	return r
}

const day = 24 * time.Hour

// months lists the months ("2006-01", Stockholm time) that [from, to)
// touches, in order.
func months(from, to time.Time) []string {
	if !from.Before(to) {
		return nil
	}
	first, last := from.In(templates.Stockholm), to.Add(-time.Nanosecond).In(templates.Stockholm)
	m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, templates.Stockholm)
	end := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, templates.Stockholm)
	var out []string
	for ; !m.After(end); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// levelName is a level as the report shows it; the unset level says so.
func levelName(lang, level string) string {
	if strings.TrimSpace(level) == "" {
		if templates.Lang(lang) == "en" {
			return "Level not set yet"
		}
		return "Nivå ej satt än"
	}
	return templates.LevelName(lang, level)
}

// Examples per theme: among the top exampleThemes themes, at most
// examplesPerTheme cases, each description cut to about exampleRunes.
const (
	exampleThemes    = 5
	examplesPerTheme = 2
	exampleRunes     = 300
)

// examples picks, for each of the top themes, the latest cases whose texts
// may be shown: those published (the reporter agreed and the process
// leader chose to publish). A case is an example of one theme only. The
// description is de-identified as on the cases sheet and shortened.
func examples(top []ThemeCases, byID map[string]*store.Case, lang string) []ThemeExamples {
	var out []ThemeExamples
	shown := map[string]bool{}
	for _, t := range top[:min(len(top), exampleThemes)] {
		var cs []*store.Case
		for _, id := range t.IDs {
			if c := byID[id]; c != nil && c.Publish && c.PublishOK && !shown[id] {
				cs = append(cs, c)
			}
		}
		slices.SortFunc(cs, func(a, b *store.Case) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		te := ThemeExamples{Theme: t.Theme}
		for _, c := range cs {
			if len(te.Cases) == examplesPerTheme {
				break
			}
			desc := shorten(form.Deidentify(c.ForParties(), c.Reporter()), exampleRunes)
			if desc == "" {
				continue
			}
			shown[c.ID] = true
			te.Cases = append(te.Cases, Example{ID: c.ID, Month: monthName(lang, c.CreatedAt), Description: desc})
		}
		if len(te.Cases) > 0 {
			out = append(out, te)
		}
	}
	return out
}

// shorten puts s on one line and cuts it to at most n runes and an
// ellipsis, at a space when there is one near the end.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n
	if i := strings.LastIndex(string(r[:n]), " "); i >= 0 && utf8.RuneCountInString(s[:i]) > n*2/3 {
		cut = utf8.RuneCountInString(s[:i])
	}
	return strings.TrimRight(string(r[:cut]), " ,.;:–-") + "…"
}

var monthsSv = []string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

// monthName is t's month as a person reads it in lang.
func monthName(lang string, t time.Time) string {
	t = t.In(templates.Stockholm)
	if templates.Lang(lang) == "en" {
		return t.Format("January 2006")
	}
	return fmt.Sprintf("%s %d", monthsSv[t.Month()-1], t.Year())
}

// themesOf returns c's themes as a report may show them: a theme is
// free text a process leader wrote, so what has the shape of a
// personnummer is masked (form.MaskPIIOutgoing).
func themesOf(c *store.Case) []string {
	out := make([]string, len(c.Themes))
	for i, t := range c.Themes {
		out[i] = form.MaskPIIOutgoing(t)
	}
	return out
}

// caseRow is c as the cases sheet shows it.
func caseRow(c *store.Case, o Options) CaseRow {
	return CaseRow{
		ID: c.ID, Created: c.CreatedAt.In(templates.Stockholm).Format(time.DateOnly), EventDate: c.EventDate,
		Forbund: o.ForbundName(c.Forbund), Parties: strings.Join(c.Parties, ", "), Level: levelName(o.Lang, c.Level),
		Themes: strings.Join(themesOf(c), ", "), Status: templates.StatusName(o.Lang, c.Status),
		Description: form.Deidentify(c.ForParties(), c.Reporter()),
	}
}

// Title is a dimension's heading in lang.
func Title(lang, dim string) string {
	sv := map[string]string{"parties": "Berörda parter", "pairs": "Parter som berörs tillsammans", "levels": "Nivå",
		"themes": "Teman", "forbund": "Förbund", "months": "Månad", "timings": "Tid till första svar",
		"open": "Öppna ärenden efter ålder (dagar)", "top": "De vanligaste temana", "cases": "Ärenden"}
	en := map[string]string{"parties": "Parties", "pairs": "Parties concerned together", "levels": "Level",
		"themes": "Themes", "forbund": "Förbund", "months": "Month", "timings": "Time to first answer",
		"open": "Open cases by age (days)", "top": "Most frequent themes", "cases": "Cases"}
	if templates.Lang(lang) == "en" {
		return en[dim]
	}
	return sv[dim]
}

// Period is the report's period as a person reads it.
func (r *Report) Period() string {
	last := r.To.Add(-time.Nanosecond)
	return fmt.Sprintf("%s – %s", r.From.In(templates.Stockholm).Format(time.DateOnly), last.In(templates.Stockholm).Format(time.DateOnly))
}

// Days formats a duration in days with one decimal.
func Days(d time.Duration) string { return fmt.Sprintf("%.1f", d.Hours()/24) }
