package classify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lexheller/intake/config"
	"lexheller/intake/ident"
	"lexheller/intake/parse"
)

// fuzzLookup answers from the shape of what it is asked, so that a fuzzed
// message can reach every branch: the case LH-2026-0042 of goteborg
// exists, Message-IDs and Thread-Index keys holding "known" belong to it,
// addresses at af.example take part in it, Message-IDs holding "sent" were
// sent to whoever asks, and those holding "partial" asked for the rest of
// an incomplete blanket.
type fuzzLookup struct{}

func (fuzzLookup) CaseExists(_ context.Context, caseID string) (string, bool, error) {
	return "goteborg", caseID == "LH-2026-0042", nil
}

func (fuzzLookup) CaseByMessageID(_ context.Context, id string) (string, bool, error) {
	return "LH-2026-0042", strings.Contains(id, "known"), nil
}

func (fuzzLookup) CaseByThreadIndex(_ context.Context, conv string) (string, bool, error) {
	return "LH-2026-0042", strings.Contains(strings.ToLower(conv), "known"), nil
}

func (fuzzLookup) IsParticipant(_ context.Context, _, addr string) (bool, error) {
	return strings.HasSuffix(addr, "@af.example"), nil
}

func (fuzzLookup) SentTo(_ context.Context, id, _, _ string) (bool, error) {
	return strings.Contains(id, "sent"), nil
}

func (fuzzLookup) PartialForm(_ context.Context, ids []string, _ string) (string, bool, error) {
	found := slices.ContainsFunc(ids, func(id string) bool { return strings.Contains(id, "partial") })
	return "Namn: Anna Andersson\nOrganisation: AF Angered\nVad hände?\nPersonen 850312-1231 fick avslag.", found, nil
}

// FuzzClassify classifies fuzzed messages (seeded with the corpus and
// with replies carrying our identifiers) with and without a store and an
// authserv-id. It must not panic or fail, and its answer must hold
// together: a reply or command names a case, commands come only from a
// process leader and, unless refused, are proven (our key to that leader,
// a mail we sent them, or the inbound server's Authentication-Results);
// only an automatic reply keeps an AutoCase, and then no Case.
func FuzzClassify(f *testing.F) {
	signer := &ident.Signer{Key: []byte("lexheller-fuzz-key"), Domain: "finsam.example", Prefix: "LH"}
	const leader = "processledare@goteborg.example"
	files, _ := filepath.Glob("../testdata/corpus/*.eml")
	ooo, _ := filepath.Glob("testdata/autoreply/*.eml")
	for _, file := range append(files, ooo...) {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b, true, false)
		}
	}
	plus := signer.PlusAddressFor("lexheller@finsam.example", "LH-2026-0042", leader)
	f.Add([]byte("From: "+leader+"\r\nTo: "+plus+"\r\nSubject: SV: [LH-2026-0042] Ärende\r\n"+
		"In-Reply-To: <"+signer.MessageID("LH-2026-0042", "notify_new")+">\r\n"+
		"Authentication-Results: mx.finsam.example; dkim=pass header.d=goteborg.example\r\n\r\n/nivå organisering\r\n/stäng\r\n"), false, true)
	f.Add([]byte("From: anna@af.example\r\nTo: lexheller@finsam.example\r\nReferences: <known-sent@x> <case.LH-2026-0042@finsam.example>\r\n"+
		"Thread-Index: AQHZknownknownknownknownknownknownknown==\r\nSubject: Re: x\r\n\r\nTack!\r\n\r\nDen 1 maj 2026 kl. 10:14 skrev a <a@b>:\r\n> x\r\n"), true, false)
	f.Add([]byte("From: MAILER-DAEMON@x\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"+
		"Content-Type: message/rfc822\r\n\r\nMessage-ID: <LH-2026-0042.ack.x.y@finsam.example>\r\n\r\n--b--\r\n"), true, true)
	f.Add([]byte("From: anna@af.example\r\nIn-Reply-To: <partial.1@finsam.example>\r\nSubject: SV: Det som saknades\r\n\r\n"+
		"Berörda parter: FK, AF\r\nDatum: 2026-11-02\r\n\r\nDen 2 nov. 2026 kl. 10:14 skrev Lex Heller <lexheller@finsam.example>:\r\n> Namn:\r\n"), true, false)
	f.Add([]byte("From: anna@af.example\r\nReturn-Path: <>\r\nSubject: SV: [LH-2026-0042] x\r\nReferences: <known.1@x>\r\n\r\n"+
		"Detta är ett automatiskt svar. Jag är ledig och är tillbaka den 5 januari.\r\n\r\nMvh\r\nAnna\r\n"), true, false)
	f.Add([]byte("From: "+leader+"\r\nSubject: RE: Automatic reply: [LH-2026-0042] x\r\n\r\nI am out of the office until Monday.\r\n"), true, true)
	f.Add([]byte("From: <>\r\nReturn-Path: <>\r\nAuto-Submitted: auto-replied\r\n\r\nmessage-id: <LH-2026-0042.x@FINSAM.example>\r\n"), false, false)
	f.Fuzz(func(t *testing.T, raw []byte, store, authserv bool) {
		m, err := parse.Parse(bytes.NewReader(raw), &parse.Options{MaxAttachmentBytes: 1 << 16})
		if err != nil {
			return
		}
		o := &Options{
			Address: "lexheller@finsam.example",
			Signer:  signer,
			Forbund: []config.Forbund{{Slug: "goteborg", Name: "Samordningsförbundet Göteborg", Aliases: []string{"göteborg"},
				Addresses: []string{"goteborg@finsam.example"}, ProcessLeaders: []string{leader}}},
		}
		if authserv {
			o.AuthservID = "mx.finsam.example"
		}
		var lk Lookup
		if store {
			lk = fuzzLookup{}
		}
		r, err := Classify(context.Background(), m, o, lk)
		if err != nil {
			t.Fatalf("Classify: %v", err)
		}
		if !slices.Contains([]Kind{NewCase, Reply, Command, FormRequest, InvalidForm, IgnoreAuto, IgnoreBounce, IgnoreLoop, Quarantine}, r.Kind) || r.Reason == "" {
			t.Fatalf("kind %q, reason %q", r.Kind, r.Reason)
		}
		from := strings.ToLower(m.From.Address)
		switch r.Kind {
		case Reply, Command:
			if r.Case == "" || signer.FindCaseID(r.Case) != r.Case {
				t.Errorf("%s on case %q", r.Kind, r.Case)
			}
		case NewCase:
			if r.Form == nil || r.Forbund != "goteborg" {
				t.Errorf("a new case with form %v in förbund %q", r.Form, r.Forbund)
			}
		}
		if r.Kind == Command {
			if from != leader {
				t.Errorf("commands from %q, who is no process leader", from)
			}
			if !r.Unproven {
				if o.AuthservID == "" && !r.answers {
					t.Errorf("commands from %q accepted, answering no mail of ours to them", from)
				}
				if ok, _ := Verified(m.Header.Values("Authentication-Results"), o.AuthservID, from); o.AuthservID != "" && store && !ok {
					t.Errorf("commands from %q accepted without Authentication-Results", from)
				}
			}
		}
		if r.AutoCase != "" && (r.Kind != IgnoreAuto || r.Case != "" || signer.FindCaseID(r.AutoCase) != r.AutoCase) {
			t.Errorf("AutoCase %q on a %s with case %q", r.AutoCase, r.Kind, r.Case)
		}
		for _, id := range r.Bounced {
			if _, d, _ := strings.Cut(id, "@"); !strings.EqualFold(d, signer.Domain) {
				t.Errorf("bounced %q is not of our domain", id)
			}
		}
		NewReport(m, r)
	})
}
