package report

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"lexheller/intake/store"
	"lexheller/templates"
)

// LevelKeys are the levels of the party × level table, in its column
// order; "" is a level not set yet.
var LevelKeys = []string{"struktur", "organisering", "individ", "vet ej", ""}

// PartyLevels is one party's cases of the period by level (LevelKeys'
// order): which of its failures are about laws, routines or individuals.
type PartyLevels struct {
	Party  string
	Counts []int
}

// PartyTrend is one party's cases in each of the 12 months up to the end
// of the period, oldest first.
type PartyTrend struct {
	Party  string
	Months []string // "2026-01"
	Counts []int
}

// partyLevels counts the period's cases of byID by party and level.
func (r *Report) partyLevels(byID map[string]*store.Case) []PartyLevels {
	m := map[string][]int{}
	for _, c := range byID {
		if c.CreatedAt.Before(r.From) || !c.CreatedAt.Before(r.To) {
			continue
		}
		i := slices.Index(LevelKeys, c.Level)
		if i < 0 {
			i = len(LevelKeys) - 1
		}
		for _, p := range c.Parties {
			if m[p] == nil {
				m[p] = make([]int, len(LevelKeys))
			}
			m[p][i]++
		}
	}
	var out []PartyLevels
	for p, counts := range m {
		out = append(out, PartyLevels{Party: p, Counts: counts})
	}
	slices.SortFunc(out, func(a, b PartyLevels) int { return strings.Compare(a.Party, b.Party) })
	return out
}

// partyTrends counts the cases of byID by party in each of the 12 months
// that end with the period's last month.
func (r *Report) partyTrends(byID map[string]*store.Case) []PartyTrend {
	last := r.To.Add(-time.Nanosecond).In(templates.Stockholm)
	first := time.Date(last.Year(), last.Month()-11, 1, 0, 0, 0, 0, templates.Stockholm)
	var months []string
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	m := map[string][]int{}
	for _, c := range byID {
		i := slices.Index(months, c.CreatedAt.In(templates.Stockholm).Format("2006-01"))
		if i < 0 {
			continue
		}
		for _, p := range c.Parties {
			if m[p] == nil {
				m[p] = make([]int, len(months))
			}
			m[p][i]++
		}
	}
	var out []PartyTrend
	for p, counts := range m {
		out = append(out, PartyTrend{Party: p, Months: months, Counts: counts})
	}
	slices.SortFunc(out, func(a, b PartyTrend) int { return strings.Compare(a.Party, b.Party) })
	return out
}

// LevelHeading is a column heading of the party × level table.
func (r *Report) LevelHeading(level string) string {
	i := slices.Index(LevelKeys, level)
	if templates.Lang(r.Lang) == "en" {
		return []string{"Structure", "Organisation", "Individual", "Don't know", "Not set yet"}[i]
	}
	return []string{"Struktur", "Organisering", "Individ", "Vet ej", "Ej satt än"}[i]
}

// SVG draws the trend as a small line (a sparkline), 12 months wide, its
// highest month at the top; the label says the counts for a screen reader.
func (t PartyTrend) SVG() template.HTML {
	const w, h, pad = 120, 24, 2
	top := max(slices.Max(append([]int{1}, t.Counts...)), 1)
	var pts []string
	for i, n := range t.Counts {
		x := pad + float64(i)*float64(w-2*pad)/float64(max(len(t.Counts)-1, 1))
		y := float64(h-pad) - float64(n)*float64(h-2*pad)/float64(top)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
	}
	label := make([]string, len(t.Counts))
	for i, n := range t.Counts {
		label[i] = fmt.Sprintf("%s: %d", t.Months[i], n)
	}
	return template.HTML(fmt.Sprintf(`<svg width="%d" height="%d" role="img" aria-label="%s"><polyline points="%s" fill="none" stroke="#2f6f9f" stroke-width="1.5"></polyline></svg>`,
		w, h, template.HTMLEscapeString(strings.Join(label, ", ")), strings.Join(pts, " ")))
}

// Total is the trend's cases over its months.
func (t PartyTrend) Total() int {
	n := 0
	for _, c := range t.Counts {
		n += c
	}
	return n
}

// LevelKeys is LevelKeys, for the HTML page.
func (r *Report) LevelKeys() []string { return LevelKeys }
