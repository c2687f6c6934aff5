// Package ident makes and checks the identifiers lexheller puts into the
// mail it sends: case IDs, signed Message-IDs, the stable per-case
// reference and the plus address that carries a case's secret reply key.
//
// Signed identifiers carry an HMAC-SHA256 of their content under the
// deployment's secret key, so a reply can be threaded by them without a
// look-up and without trusting a number someone merely quoted.
package ident

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// LoopHeader marks every mail lexheller sends, with our domain as its
// value; intake drops a message that carries it as our own.
const LoopHeader = "X-Lexheller-Loop"

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Signer mints and verifies identifiers for one deployment. The zero Signer
// has no key: it mints nothing and verifies nothing, but still recognises
// the shapes (see Parse functions), which is what `inspect` without a store
// needs.
type Signer struct {
	Key    []byte // the secret; nil for a Signer that cannot sign
	Domain string // the right-hand side of our Message-IDs
	Prefix string // case ID prefix, e.g. "LH"

	once          sync.Once
	caseRx, tagRx *regexp.Regexp
}

func (s *Signer) compile() {
	s.once.Do(func() {
		p := regexp.QuoteMeta(s.prefix())
		s.caseRx = regexp.MustCompile(`(?i)\b` + p + `-(\d{4})-(\d{4,6})\b`)
		s.tagRx = regexp.MustCompile(`(?i)\[\s*` + p + `-(\d{4})-(\d{4,6})\s*\]`)
	})
}

// NewKey returns a fresh random secret key.
func NewKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return k
}

func (s *Signer) mac(parts ...string) string {
	h := hmac.New(sha256.New, s.Key)
	h.Write([]byte(strings.Join(parts, "\x00")))
	return b32.EncodeToString(h.Sum(nil))[:12]
}

func (s *Signer) prefix() string {
	if s.Prefix == "" {
		return "LH"
	}
	return s.Prefix
}

// CaseID formats a case ID: prefix, year, sequence, e.g. LH-2026-0042.
func (s *Signer) CaseID(year, seq int) string {
	return fmt.Sprintf("%s-%04d-%04d", s.prefix(), year, seq)
}

// FindCaseID returns the first case ID in s in its canonical spelling.
func (s *Signer) FindCaseID(text string) string {
	s.compile()
	m := s.caseRx.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return s.prefix() + "-" + m[1] + "-" + m[2]
}

// SubjectTag returns the case's tag for a subject line, "[LH-2026-0042]".
func SubjectTag(caseID string) string { return "[" + caseID + "]" }

// FindSubjectTag returns the case ID of a "[LH-…]" tag in subject.
func (s *Signer) FindSubjectTag(subject string) string {
	s.compile()
	if m := s.tagRx.FindStringSubmatch(subject); m != nil {
		return s.prefix() + "-" + m[1] + "-" + m[2]
	}
	return ""
}

// MessageID mints a signed Message-ID (without angle brackets) for a mail
// about caseID; kind says what the mail is ("ack", "notify", …).
func (s *Signer) MessageID(caseID, kind string) string {
	r := make([]byte, 8)
	_, _ = rand.Read(r)
	nonce := b32.EncodeToString(r)
	if caseID == "" {
		caseID = "none"
	}
	return fmt.Sprintf("%s.%s.%s.%s@%s", caseID, kind, nonce, s.mac("msgid", caseID, kind, nonce), s.Domain)
}

// ParseMessageID reports whether id has the shape of one of our
// Message-IDs and returns its case ID ("" for none). verified is true only
// when the signature checks out under s.Key.
func (s *Signer) ParseMessageID(id string) (caseID string, ours, verified bool) {
	local, domain, ok := strings.Cut(id, "@")
	if !ok || s.Domain == "" || !strings.EqualFold(domain, s.Domain) {
		return "", false, false
	}
	p := strings.Split(local, ".")
	if len(p) != 4 {
		return "", false, false
	}
	if p[0] != "none" && s.FindCaseID(p[0]) != p[0] {
		return "", false, false
	}
	if p[0] != "none" {
		caseID = p[0]
	}
	verified = len(s.Key) > 0 && hmac.Equal([]byte(p[3]), []byte(s.mac("msgid", p[0], p[1], p[2])))
	return caseID, true, verified
}

// CaseRef is the stable reference of a case, first in the References of
// every mail about it, so that clients threading on the first reference
// keep the case together (as Request Tracker's <RT-Ticket-42@org>).
func (s *Signer) CaseRef(caseID string) string { return "case." + caseID + "@" + s.Domain }

// ParseCaseRef returns the case ID of a CaseRef, or "".
func (s *Signer) ParseCaseRef(id string) string {
	local, domain, ok := strings.Cut(id, "@")
	if !ok || !strings.EqualFold(domain, s.Domain) || !strings.HasPrefix(local, "case.") {
		return ""
	}
	c := local[len("case."):]
	if s.FindCaseID(c) != c {
		return ""
	}
	return c
}

// ReplyKey is the case's secret reply key, carried in its plus address.
func (s *Signer) ReplyKey(caseID string) string { return s.mac("reply", caseID)[:8] }

// PlusAddress returns base with the case's plus tag:
// lexheller@x → lexheller+LH-2026-0042.k3j5h2ab@x.
func (s *Signer) PlusAddress(base, caseID string) string {
	local, domain, ok := strings.Cut(base, "@")
	if !ok {
		return base
	}
	return local + "+" + caseID + "." + s.ReplyKey(caseID) + "@" + domain
}

// ReplyKeyFor is the reply key of the plus address given to one
// recipient of a case's mail: it binds the case and that recipient, so
// that a key sent to the reporter or a representative never passes for a
// process leader's.
func (s *Signer) ReplyKeyFor(caseID, rcpt string) string {
	return s.mac("reply-to", caseID, strings.ToLower(rcpt))[:8]
}

// PlusAddressFor returns base with the case's plus tag for rcpt:
// lexheller@x → lexheller+LH-2026-0042.k3j5h2ab@x, the key from
// ReplyKeyFor.
func (s *Signer) PlusAddressFor(base, caseID, rcpt string) string {
	local, domain, ok := strings.Cut(base, "@")
	if !ok {
		return base
	}
	return local + "+" + caseID + "." + s.ReplyKeyFor(caseID, rcpt) + "@" + domain
}

// plusTag returns the case and key of addr's plus tag on base.
func (s *Signer) plusTag(base, addr string) (caseID, key string) {
	bl, bd, ok := strings.Cut(strings.ToLower(base), "@")
	if !ok {
		return "", ""
	}
	al, ad, ok := strings.Cut(strings.ToLower(addr), "@")
	if !ok || ad != bd || !strings.HasPrefix(al, bl+"+") {
		return "", ""
	}
	tag := al[len(bl)+1:]
	c, key, _ := strings.Cut(tag, ".")
	caseID = s.FindCaseID(c)
	if caseID == "" || !strings.EqualFold(caseID, c) {
		return "", ""
	}
	return caseID, key
}

// ParsePlusAddress reports whether addr is base with a case plus tag and
// returns the case. verified is true when the key is the case's own
// (ReplyKey, of mail sent before keys named their recipient).
func (s *Signer) ParsePlusAddress(base, addr string) (caseID string, verified bool) {
	caseID, key := s.plusTag(base, addr)
	if caseID == "" {
		return "", false
	}
	verified = len(s.Key) > 0 && key != "" && hmac.Equal([]byte(key), []byte(s.ReplyKey(caseID)))
	return caseID, verified
}

// IssuedTo reports whether addr is base with a case plus tag whose key was
// given to rcpt (PlusAddressFor), and returns the case.
func (s *Signer) IssuedTo(base, addr, rcpt string) (caseID string, ok bool) {
	caseID, key := s.plusTag(base, addr)
	if caseID == "" || len(s.Key) == 0 || key == "" {
		return caseID, false
	}
	return caseID, hmac.Equal([]byte(key), []byte(s.ReplyKeyFor(caseID, rcpt)))
}
