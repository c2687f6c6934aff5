package ident

import (
	"strings"
	"testing"
)

func TestMessageIDs(t *testing.T) {
	s := &Signer{Key: []byte("secret"), Domain: "finsam.example", Prefix: "LH"}
	id := s.MessageID("LH-2026-0042", "ack")
	if c, ours, ok := s.ParseMessageID(id); c != "LH-2026-0042" || !ours || !ok {
		t.Errorf("ParseMessageID(%q) = %q, %v, %v", id, c, ours, ok)
	}
	// Another key, a changed case or a changed signature is not verified.
	other := &Signer{Key: []byte("other"), Domain: "finsam.example", Prefix: "LH"}
	if _, ours, ok := other.ParseMessageID(id); !ours || ok {
		t.Errorf("another key: ours %v, verified %v", ours, ok)
	}
	forged := strings.Replace(id, "0042", "0043", 1)
	if _, _, ok := s.ParseMessageID(forged); ok {
		t.Errorf("forged %q verified", forged)
	}
	for _, bad := range []string{"x@finsam.example", "LH-2026-0042.ack.a.b@elsewhere.example", "", "a.b.c.d@finsam.example"} {
		if _, ours, _ := s.ParseMessageID(bad); ours {
			t.Errorf("ParseMessageID(%q) says ours", bad)
		}
	}
	// Without a key the shape is recognised but nothing is verified.
	unkeyed := &Signer{Domain: "finsam.example"}
	if c, ours, ok := unkeyed.ParseMessageID(id); c != "LH-2026-0042" || !ours || ok {
		t.Errorf("unkeyed: %q, %v, %v", c, ours, ok)
	}
}

func TestPlusAddressAndTags(t *testing.T) {
	s := &Signer{Key: []byte("secret"), Domain: "finsam.example", Prefix: "LH"}
	plus := s.PlusAddress("lexheller@finsam.example", "LH-2026-0042")
	if c, ok := s.ParsePlusAddress("lexheller@finsam.example", plus); c != "LH-2026-0042" || !ok {
		t.Errorf("ParsePlusAddress(%q) = %q, %v", plus, c, ok)
	}
	// Lower-cased by a mail server: still the case, still verified.
	if c, ok := s.ParsePlusAddress("lexheller@finsam.example", strings.ToLower(plus)); c != "LH-2026-0042" || !ok {
		t.Errorf("lower-case plus address = %q, %v", c, ok)
	}
	if c, ok := s.ParsePlusAddress("lexheller@finsam.example", "lexheller+LH-2026-0042.wrongkey@finsam.example"); c != "LH-2026-0042" || ok {
		t.Errorf("wrong key = %q, %v; want the case, unverified", c, ok)
	}
	if c, _ := s.ParsePlusAddress("lexheller@finsam.example", "other+LH-2026-0042@finsam.example"); c != "" {
		t.Errorf("another mailbox's plus address gave %q", c)
	}
	for subj, want := range map[string]string{
		"SV: [LH-2026-0042] Anmälan": "LH-2026-0042", "VB: [ lh-2026-0042 ]": "LH-2026-0042",
		"LH-2026-0042 without brackets": "", "[LH-26-42]": "",
	} {
		if got := s.FindSubjectTag(subj); got != want {
			t.Errorf("FindSubjectTag(%q) = %q, want %q", subj, got, want)
		}
	}
	if got := s.ParseCaseRef(s.CaseRef("LH-2026-0042")); got != "LH-2026-0042" {
		t.Errorf("ParseCaseRef = %q", got)
	}
	if got := s.CaseID(2026, 7); got != "LH-2026-0007" {
		t.Errorf("CaseID = %q", got)
	}
}
