// Package report counts cases for the working group's pattern report: by
// party, pair of parties, level, theme, förbund and month, each beside the
// previous period of the same length; the time to a party's first answer;
// open cases by age; the most frequent themes. It renders the report as
// text, CSV (the cases), XLSX and a self-contained HTML page; the page is
// the template html/report.html.tmpl of package templates, which an
// operator may override (Options.Pages). No report holds personal data:
// free text is de-identified, names are left out.
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
	// Pages hold the HTML report's template (templates.LoadPages, with an
	// operator's override); nil means the embedded one.
	Pages *templates.Pages
}

// wants reports whether c is of the förbund the report is for.
func (o Options) wants(c *store.Case) bool {
	return len(o.Forbund) == 0 || slices.Contains(o.Forbund, c.Forbund)
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

// Timing is how long a party (or a working group) takes to answer its
// first forward of a case.
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
	// PartyLevels is the period's cases by party and level; Trends each
	// party's cases a month over the last 12 (a line in the HTML report).
	PartyLevels []PartyLevels
	Trends      []PartyTrend
	// Forwards are each party's forwards open at the end of the period and
	// answered in it, counted as the digests and agendas count them.
	Forwards []PartyCount
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
	counts, themes, byID := r.count(cases)
	r.Dimensions = r.dimensions(counts)
	r.Timings = timings(forwards, byID, o.From, o.To)
	r.OpenByAge = openByAge(byID, o.To)
	r.TopThemes = topThemes(themes)
	r.Examples = examples(r.TopThemes, byID, o.Lang)
	r.PartyLevels, r.Trends = r.partyLevels(byID), r.partyTrends(byID)
	r.Forwards = CountForwards(forwards, byID, o.From, o.To)
	slices.SortFunc(r.Cases, func(a, b CaseRow) int { return strings.Compare(a.ID, b.ID) })
	return r
}

// counts are the rows of each dimension, by dimension and key.
type counts map[string]map[string]*Row

// add counts one case for key of dim: in the period when now, else in
// the one before.
func (cs counts) add(dim, key string, now bool) {
	if cs[dim] == nil {
		cs[dim] = map[string]*Row{}
	}
	row := cs[dim][key]
	if row == nil {
		row = &Row{Key: key}
		cs[dim][key] = row
	}
	if now {
		row.Now++
	} else {
		row.Before++
	}
}

// addCase counts c in every dimension: in the period when in, else in the
// one before. Months are counted for the period only.
func (cs counts) addCase(c *store.Case, in bool, lang string) {
	for _, p := range c.Parties {
		cs.add("parties", p, in)
	}
	ps := slices.Sorted(slices.Values(c.Parties))
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			cs.add("pairs", ps[i]+"×"+ps[j], in)
		}
	}
	cs.add("levels", levelName(lang, c.Level), in)
	for _, t := range themesOf(c) {
		cs.add("themes", t, in)
	}
	cs.add("forbund", c.Forbund, in)
	if in {
		cs.add("months", c.CreatedAt.In(templates.Stockholm).Format("2006-01"), true)
	}
}

// count counts the report's cases of the period and of the period before,
// setting r.Total, r.PrevTotal and r.Cases. It returns the counts of every
// dimension (every month of the period among them, those without cases
// too), the cases of the period by theme, and the report's cases of any
// time by ID.
func (r *Report) count(cases []*store.Case) (counts, map[string][]string, map[string]*store.Case) {
	cs := counts{}
	themes := map[string][]string{}
	byID := map[string]*store.Case{}
	for _, c := range cases {
		if !r.wants(c) {
			continue
		}
		byID[c.ID] = c
		in := !c.CreatedAt.Before(r.From) && c.CreatedAt.Before(r.To)
		prev := !c.CreatedAt.Before(r.PrevFrom) && c.CreatedAt.Before(r.PrevTo)
		if !in && !prev {
			continue
		}
		if in {
			r.Total++
			r.Cases = append(r.Cases, caseRow(c, r.Options))
			for _, t := range themesOf(c) {
				themes[t] = append(themes[t], c.ID)
			}
		} else {
			r.PrevTotal++
		}
		cs.addCase(c, in, r.Lang)
	}
	// Every month of the period, those without cases too.
	if cs["months"] == nil {
		cs["months"] = map[string]*Row{}
	}
	for _, m := range months(r.From, r.To) {
		if cs["months"][m] == nil {
			cs["months"][m] = &Row{Key: m}
		}
	}
	return cs, themes, byID
}

// dimensions makes the report's tables of cs, in order: months by month,
// the others by count, the largest first. It says which rows have a
// period before to compare with and names the förbund.
func (r *Report) dimensions(cs counts) []Dimension {
	var out []Dimension
	for _, dim := range []string{"parties", "pairs", "levels", "themes", "forbund", "months"} {
		d := Dimension{Name: dim}
		for _, row := range cs[dim] {
			switch dim {
			case "months": // the period only
			case "forbund":
				// A förbund without cases before most likely did not
				// use the register yet.
				row.HasBefore = r.PrevTotal > 0 && row.Before > 0
				row.Key = r.ForbundName(row.Key)
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
		out = append(out, d)
	}
	return out
}

// timings is the time to each party's first answer, for the cases of
// [from, to) in byID, by party.
func timings(forwards []*store.Forward, byID map[string]*store.Case, from, to time.Time) []Timing {
	first := map[string]*store.Forward{} // case+party → its first forward
	for _, f := range forwards {
		c := byID[f.CaseID]
		if c == nil || c.CreatedAt.Before(from) || !c.CreatedAt.Before(to) {
			continue
		}
		k := f.CaseID + "/" + Recipient(f)
		if g := first[k]; g == nil || f.At.Before(g.At) {
			first[k] = f
		}
	}
	waits := map[string][]time.Duration{}
	unanswered := map[string]int{}
	for _, f := range first {
		who := Recipient(f)
		if _, listed := waits[who]; !listed {
			waits[who] = nil
		}
		if f.AnsweredAt == nil {
			unanswered[who]++
			continue
		}
		waits[who] = append(waits[who], f.AnsweredAt.Sub(f.At))
	}
	var out []Timing
	for party, ws := range waits {
		out = append(out, Timing{Party: party, Answered: len(ws), Median: median(ws), Unanswered: unanswered[party]})
	}
	slices.SortFunc(out, func(a, b Timing) int { return strings.Compare(a.Party, b.Party) })
	return out
}

// median is the median of ws, which it sorts; 0 when there are none.
func median(ws []time.Duration) time.Duration {
	if len(ws) == 0 {
		return 0
	}
	slices.Sort(ws)
	if len(ws)%2 == 0 {
		return (ws[len(ws)/2-1] + ws[len(ws)/2]) / 2
	}
	return ws[len(ws)/2]
}

// openByAge counts the cases of byID open at to, by age.
func openByAge(byID map[string]*store.Case, to time.Time) []Row {
	ages := []struct {
		key  string
		upTo time.Duration
	}{{"< 14", 14 * day}, {"14–30", 30 * day}, {"30–90", 90 * day}, {"> 90", 1 << 62}}
	open := make([]Row, len(ages))
	for i, a := range ages {
		open[i].Key = a.key
	}
	for _, c := range byID {
		if c.CreatedAt.After(to) || (c.ClosedAt != nil && c.ClosedAt.Before(to)) {
			continue
		}
		age := to.Sub(c.CreatedAt)
		for i, a := range ages {
			if age < a.upTo {
				open[i].Now++
				break
			}
		}
	}
	return open
}

// topThemes are the ten themes with the most cases, those with most
// first, each with its cases in order.
func topThemes(themes map[string][]string) []ThemeCases {
	var top []ThemeCases
	for t, ids := range themes {
		sort.Strings(ids)
		top = append(top, ThemeCases{t, ids})
	}
	slices.SortFunc(top, func(a, b ThemeCases) int {
		if c := cmp.Compare(len(b.IDs), len(a.IDs)); c != 0 {
			return c
		}
		return strings.Compare(a.Theme, b.Theme)
	})
	if len(top) > 10 {
		top = top[:10]
	}
	return top
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
		"open": "Öppna ärenden efter ålder (dagar)", "top": "De vanligaste temana", "cases": "Ärenden",
		"party_levels": "Parter och nivå", "trends": "Ärenden per part och månad, de senaste 12 månaderna",
		"forwards": "Vidarebefordrade ärenden: väntar på svar vid periodens slut, besvarade under perioden"}
	en := map[string]string{"parties": "Parties", "pairs": "Parties concerned together", "levels": "Level",
		"themes": "Themes", "forbund": "Förbund", "months": "Month", "timings": "Time to first answer",
		"open": "Open cases by age (days)", "top": "Most frequent themes", "cases": "Cases",
		"party_levels": "Parties and level", "trends": "Cases by party and month, the last 12 months",
		"forwards": "Forwarded cases: waiting for an answer at the end of the period, answered in it"}
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
