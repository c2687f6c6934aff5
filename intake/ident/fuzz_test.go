package ident

import (
	"strings"
	"testing"
)

// FuzzIdent feeds the parsers what a mail may carry (a Message-ID, a
// References entry, a recipient address, a sender, a subject) and checks that they
// never panic, that what they return is canonical, that only our own
// identifiers verify, and that what a Signer mints parses back to what it
// was made from.
func FuzzIdent(f *testing.F) {
	s := &Signer{Key: []byte("lexheller-fuzz-key"), Domain: "finsam.example", Prefix: "LH"}
	f.Add("LH-2026-0042.ack.abcdefghijklm.abcdefghijkl@finsam.example", "lexheller+LH-2026-0042.abcdefgh@finsam.example", 2026, 42, "ack", "anna@af.example")
	f.Add(s.MessageID("LH-2026-0042", "notify_new"), s.PlusAddressFor("lexheller@finsam.example", "LH-2026-0042", "Anna@AF.example"), 1999, 123456, "forward", "anna@af.example")
	f.Add("none.form.x.y@FINSAM.example", "LEXHELLER+lh-2026-0042.@finsam.example", 0, 0, "form", "")
	f.Add("case.LH-2026-0042@finsam.example", "lexheller+@finsam.example", 9999, 999999, "reminder", "pl@goteborg.example")
	f.Add("SV: [ lh-2026-0042 ] Anmälan", "lexheller+LH-2026-0042@@finsam.example", 2026, 7, "", "\u212a@x")
	f.Add("<a@b> (comment) LH-2026-00421 LH-2026-004", "@", -1, -1, "a.b@c", "a\x00b")
	f.Add("\u212a", "lexheller+\u212aH-2026-0042.x@finsam.example", 2026, 1000000, "ack", "İ@x")
	other := &Signer{Key: []byte("another key"), Domain: "finsam.example", Prefix: "LH"}
	unkeyed := &Signer{Domain: "finsam.example"}
	const base = "lexheller@finsam.example"
	f.Fuzz(func(t *testing.T, id, addr string, year, seq int, kind, rcpt string) {
		// Whatever comes in: no panic, canonical answers.
		for _, text := range []string{id, addr} {
			if c := s.FindCaseID(text); c != "" && s.FindCaseID(c) != c {
				t.Errorf("FindCaseID(%q) = %q, which is not canonical", text, c)
			}
			if c := s.FindSubjectTag(text); c != "" && s.FindCaseID(c) != c {
				t.Errorf("FindSubjectTag(%q) = %q, not a case ID", text, c)
			}
			if c := s.ParseCaseRef(text); c != "" && (s.FindCaseID(c) != c || !strings.EqualFold(s.CaseRef(c), text)) {
				t.Errorf("ParseCaseRef(%q) = %q", text, c)
			}
			c, ours, ok := s.ParseMessageID(text)
			if ok && !ours || c != "" && !ours || c != "" && s.FindCaseID(c) != c {
				t.Errorf("ParseMessageID(%q) = %q, %v, %v", text, c, ours, ok)
			}
			if ok {
				// A verified ID is one of ours: the same key must have
				// signed its parts, another key does not verify it.
				if _, _, ok2 := other.ParseMessageID(text); ok2 {
					t.Errorf("%q verifies under two keys", text)
				}
			}
			if _, _, ok := unkeyed.ParseMessageID(text); ok {
				t.Errorf("a Signer without a key verified %q", text)
			}
			if c, ok := s.ParsePlusAddress(base, text); c != "" {
				if s.FindCaseID(c) != c {
					t.Errorf("ParsePlusAddress(%q) = %q, not a case ID", text, c)
				}
				// Verified only when it is exactly the address we hand out
				// (a mail server may have lower-cased it).
				if ok != (strings.ToLower(text) == strings.ToLower(s.PlusAddress(base, c))) {
					t.Errorf("ParsePlusAddress(%q) = %q, verified %v; ours is %q", text, c, ok, s.PlusAddress(base, c))
				}
				if _, ok := unkeyed.ParsePlusAddress(base, text); ok {
					t.Errorf("a Signer without a key verified %q", text)
				}
			} else if ok {
				t.Errorf("ParsePlusAddress(%q) verified without a case", text)
			}
			if c, ok := s.IssuedTo(base, text, rcpt); ok {
				// Issued to rcpt only when it is exactly the address we
				// gave rcpt.
				if strings.ToLower(text) != strings.ToLower(s.PlusAddressFor(base, c, rcpt)) {
					t.Errorf("IssuedTo(%q, %q) = %q, true; we gave %q", text, rcpt, c, s.PlusAddressFor(base, c, rcpt))
				}
				if _, ok := unkeyed.IssuedTo(base, text, rcpt); ok {
					t.Errorf("a Signer without a key issued %q", text)
				}
			}
		}

		// What we mint parses back. Case IDs have a four-digit year and a
		// sequence of four to six digits.
		year, seq = abs(year)%10000, abs(seq)%1000000
		caseID := s.CaseID(year, seq)
		if got := s.FindCaseID(caseID); got != caseID {
			t.Fatalf("FindCaseID(CaseID(%d, %d) = %q) = %q", year, seq, caseID, got)
		}
		if got := s.FindCaseID("SV: " + id + " " + caseID + "."); got == "" {
			t.Errorf("no case ID found around %q", caseID)
		}
		if got := s.FindSubjectTag("SV: " + SubjectTag(caseID) + " " + id); got != caseID {
			t.Errorf("FindSubjectTag(%q) = %q", SubjectTag(caseID), got)
		}
		if got := s.ParseCaseRef(s.CaseRef(caseID)); got != caseID {
			t.Errorf("ParseCaseRef(%q) = %q", s.CaseRef(caseID), got)
		}
		if kind == "" || strings.ContainsAny(kind, ".@") {
			kind = "ack" // kinds are ours: notify's constants
		}
		for _, c := range []string{caseID, ""} {
			msgID := s.MessageID(c, kind)
			if got, ours, ok := s.ParseMessageID(msgID); got != c || !ours || !ok {
				t.Errorf("ParseMessageID(%q) = %q, %v, %v; want %q, true, true", msgID, got, ours, ok, c)
			}
			if _, _, ok := other.ParseMessageID(msgID); ok {
				t.Errorf("%q verifies under another key", msgID)
			}
		}
		plus := s.PlusAddress(base, caseID)
		for _, a := range []string{plus, strings.ToLower(plus), strings.ToUpper(plus)} {
			if got, ok := s.ParsePlusAddress(base, a); got != caseID || !ok {
				t.Errorf("ParsePlusAddress(%q) = %q, %v", a, got, ok)
			}
		}
		// The address given to one recipient passes for that recipient
		// only, however a mail server spells the addresses.
		given := s.PlusAddressFor(base, caseID, rcpt)
		sender := strings.ToUpper(rcpt)
		if strings.ToLower(sender) != strings.ToLower(rcpt) {
			sender = rcpt // ſ, K: upper-casing is not undone by lower-casing
		}
		for _, a := range []string{given, strings.ToLower(given), strings.ToUpper(given)} {
			if got, ok := s.IssuedTo(base, a, sender); got != caseID || !ok {
				t.Errorf("IssuedTo(%q, %q) = %q, %v", a, sender, got, ok)
			}
			if got, ok := s.IssuedTo(base, a, rcpt+"x"); got != caseID || ok {
				t.Errorf("IssuedTo(%q, %q) = %q, %v; want the case, not issued", a, rcpt+"x", got, ok)
			}
		}
		// Another case's key does not verify this case.
		next := s.CaseID(year, (seq+1)%1000000)
		forged := strings.Replace(plus, caseID, next, 1)
		if got, ok := s.ParsePlusAddress(base, forged); got != next || ok {
			t.Errorf("ParsePlusAddress(%q) = %q, %v; want %q unverified", forged, got, ok, next)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n = -n; n < 0 { // the smallest int
			return 0
		}
	}
	return n
}
