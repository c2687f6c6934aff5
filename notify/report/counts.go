package report

import (
	"slices"
	"strings"
	"time"

	"lexheller/intake/store"
)

// Recipient is whom a forward went to, as the report counts it: the
// party's code, or the working group's name.
func Recipient(f *store.Forward) string {
	if f.Group != "" {
		return f.Group
	}
	return f.Party
}

// PartyCount is how many of a party's forwards wait for an answer and how
// many it answered in a period. The representatives' digests, the
// förbundschef's agenda and the pattern report all count with
// CountForwards, so their numbers agree.
type PartyCount struct {
	Party         string
	Open          int // forwards of cases not closed, unanswered at the end
	AnsweredSince int // forwards answered in [since, until)
}

// CountForwards counts, by party, the forwards of the cases in byID: open
// at until (sent before it, unanswered then, the case not closed then),
// and answered in [since, until). Parties with neither are left out.
func CountForwards(forwards []*store.Forward, byID map[string]*store.Case, since, until time.Time) []PartyCount {
	m := map[string]*PartyCount{}
	get := func(party string) *PartyCount {
		if m[party] == nil {
			m[party] = &PartyCount{Party: party}
		}
		return m[party]
	}
	groups := map[string]bool{} // case and group counted once
	for _, f := range forwards {
		c := byID[f.CaseID]
		if c == nil || f.Address == "" || !f.At.Before(until) {
			continue // not this förbund's, or an answer imported from a sheet
		}
		if f.Group != "" {
			if k := f.CaseID + "/" + f.Group; groups[k] {
				continue // one forward per address of the group
			} else {
				groups[k] = true
			}
		}
		answered := f.AnsweredAt != nil && f.AnsweredAt.Before(until)
		closed := c.ClosedAt != nil && c.ClosedAt.Before(until)
		if !answered && !closed {
			get(Recipient(f)).Open++
		}
		if answered && !f.AnsweredAt.Before(since) {
			get(Recipient(f)).AnsweredSince++
		}
	}
	var out []PartyCount
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b PartyCount) int { return strings.Compare(a.Party, b.Party) })
	return out
}
