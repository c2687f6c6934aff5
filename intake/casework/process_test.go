package casework

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"lexheller/intake/classify"
	"lexheller/intake/config"
	"lexheller/intake/docx"
	"lexheller/intake/form"
	"lexheller/intake/ident"
	"lexheller/intake/parse"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

func newProcessor(t *testing.T) *Processor {
	t.Helper()
	p, err := openProcessor(filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Store.Close() })
	return p
}

// openProcessor is a Processor on the database at path, for one förbund
// with one process leader.
func openProcessor(path string) (*Processor, error) {
	st, err := store.Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	tpl, err := templates.Load("")
	if err != nil {
		return nil, err
	}
	signer := &ident.Signer{Key: []byte("k"), Domain: "finsam.example", Prefix: "LH"}
	return &Processor{
		Store: st,
		Classify: &classify.Options{Address: "lexheller@finsam.example", Signer: signer, Forbund: []config.Forbund{
			{Slug: "goteborg", Name: "Samordningsförbundet Göteborg", ProcessLeaders: []string{"pl@goteborg.example"}}}},
		Composer: &notify.Composer{Templates: tpl, Signer: signer, Address: "lexheller@finsam.example", Name: "Lex Heller"},
		Lang:     "sv",
		KeepRaw:  true,
	}, nil
}

const blanketBody = `Namn: Anna Andersson
Organisation: Arbetsförmedlingen Angered
Berörda parter: FK, AF
Vad hände?:
Person 850312-1231 sjukskrivs men FK godkänner inte.
`

func blanketMsg(from, id string) string {
	return fmt.Sprintf("From: Anna <%s>\r\nTo: lexheller@finsam.example\r\nSubject: Anmälan\r\nMessage-ID: <%s>\r\n\r\n%s",
		from, id, strings.ReplaceAll(blanketBody, "\n", "\r\n"))
}

func process(t *testing.T, p *Processor, raws ...string) []Outcome {
	t.Helper()
	var in []Incoming
	for i, r := range raws {
		in = append(in, Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(i + 1), Raw: []byte(r)})
	}
	outs, err := p.Process(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

func outbox(t *testing.T, p *Processor) []*store.OutMail {
	t.Helper()
	o, err := p.Store.Outbox(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestDuplicatesAreOnlyMoved(t *testing.T) {
	p := newProcessor(t)
	raw := blanketMsg("anna@af.example", "one@af.example")
	// In one batch, and again later (a crash before the move).
	outs := process(t, p, raw, raw)
	outs = append(outs, process(t, p, raw)...)
	if outs[0].Kind != classify.NewCase || outs[0].Duplicate {
		t.Fatalf("first = %+v", outs[0])
	}
	for _, o := range outs[1:] {
		if !o.Duplicate || o.Case != outs[0].Case || o.Folder != FolderDone || o.Queued != 0 {
			t.Errorf("copy = %+v, want a duplicate of %s moved to %s", o, outs[0].Case, FolderDone)
		}
	}
	// No Message-ID: recognised by the hash of the raw message.
	noID := "From: anna@af.example\r\nSubject: x\r\n\r\n" + strings.ReplaceAll(blanketBody, "\n", "\r\n")
	a := process(t, p, noID)
	b := process(t, p, noID)
	if a[0].Duplicate || !b[0].Duplicate || a[0].Case != b[0].Case {
		t.Errorf("without Message-ID: %+v then %+v", a[0], b[0])
	}
	cases, _ := p.Store.Cases(context.Background(), store.CaseFilter{})
	if len(cases) != 2 {
		t.Errorf("%d cases, want 2", len(cases))
	}
	if n := len(outbox(t, p)); n != 4 {
		t.Errorf("%d mails queued, want 4 (an ack and a notification per case)", n)
	}
}

func TestNewCaseMasksPersonnummer(t *testing.T) {
	p := newProcessor(t)
	outs := process(t, p, blanketMsg("anna@af.example", "pnr@af.example"))
	c, err := p.Store.Case(context.Background(), outs[0].Case)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.Description, "850312") || c.PIIFound != 1 {
		t.Errorf("description %q, pii %d", c.Description, c.PIIFound)
	}
	tl, _ := p.Store.Timeline(context.Background(), c.ID)
	for _, m := range outbox(t, p) {
		if bytes.Contains(m.Raw, []byte("850312")) || strings.Contains(m.Body, "850312") {
			t.Errorf("%s to %s carries the personnummer", m.Kind, m.To)
		}
	}
	for _, e := range tl {
		if strings.Contains(e.Body, "850312") {
			t.Errorf("timeline event %s carries the personnummer", e.Kind)
		}
	}
}

func TestBounceMarksOutboxAndTellsLeaders(t *testing.T) {
	p := newProcessor(t)
	outs := process(t, p, blanketMsg("anna@af.example", "b1@af.example"))
	var ack *store.OutMail
	for _, m := range outbox(t, p) {
		if m.Kind == string(notify.KindAck) {
			ack = m
		}
	}
	dsn := fmt.Sprintf("From: MAILER-DAEMON@mx.af.example\r\nTo: lexheller@finsam.example\r\nSubject: Undelivered Mail\r\n"+
		"Message-ID: <dsn1@mx.af.example>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nUser unknown.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n"+
		"Action: failed\r\nStatus: 5.1.1\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <%s>\r\nTo: anna@af.example\r\n--b--\r\n", ack.MessageID)
	b := process(t, p, dsn)
	if b[0].Kind != classify.IgnoreBounce || b[0].Folder != FolderIgnored {
		t.Fatalf("bounce = %+v", b[0])
	}
	var notice bool
	for _, m := range outbox(t, p) {
		if m.ID == ack.ID && m.Status != store.OutBounced {
			t.Errorf("ack status %s, want bounced", m.Status)
		}
		if m.Kind == string(notify.KindBounceNotice) && m.To == "pl@goteborg.example" && m.CaseID == outs[0].Case {
			notice = true
		}
	}
	if !notice {
		t.Error("no bounce notice to the process leader")
	}
	// The address bounced: the next automatic mail to it is suppressed.
	process(t, p, "From: anna@af.example\r\nSubject: blankett\r\nMessage-ID: <f@af.example>\r\n\r\nKan jag få blanketten?\r\n")
	o := outbox(t, p)
	if last := o[len(o)-1]; last.Kind != string(notify.KindForm) || last.Status != store.OutSuppressed {
		t.Errorf("form to a bounced address: %s %s, want a suppressed form", last.Kind, last.Status)
	}
}

func TestNoAnswerToAutomaticMail(t *testing.T) {
	p := newProcessor(t)
	outs := process(t, p,
		"From: per@kommun.example\r\nSubject: Automatiskt svar: Anmälan\r\nMessage-ID: <oof@k>\r\n\r\nJag är ledig.\r\n",
		"From: lexheller@finsam.example\r\nSubject: loop\r\nMessage-ID: <l@k>\r\n\r\nNamn: x\r\nOrganisation: y\r\n",
		"From: MAILER-DAEMON@k\r\nSubject: failure\r\nMessage-ID: <d@k>\r\n\r\nfailed\r\n",
	)
	for _, o := range outs {
		if o.Folder != FolderIgnored || o.Queued != 0 {
			t.Errorf("%+v: want ignored with nothing queued", o)
		}
	}
	if n := len(outbox(t, p)); n != 0 {
		t.Errorf("%d mails queued", n)
	}
}

func TestUnreadableIsQuarantinedAndKept(t *testing.T) {
	p := newProcessor(t)
	raw := "\x00\x01 not a mail at all"
	outs := process(t, p, raw)
	if outs[0].Kind != classify.Quarantine || outs[0].Folder != FolderQuarantine || !strings.Contains(outs[0].Reason, "unreadable") {
		t.Fatalf("outcome %+v", outs[0])
	}
	kept, _, err := p.Store.RawMessage(context.Background(), outs[0].Ledger)
	if err != nil || string(kept) != raw {
		t.Errorf("raw kept = %q", kept)
	}
}

// A valid blanket that carries hostile parts is still a case, with what
// could not be kept recorded.
func TestHostileBlanketStillACase(t *testing.T) {
	p := newProcessor(t)
	p.Parse = &parse.Options{MaxAttachmentBytes: 1 << 20}
	big := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("A"), 3<<20))
	var b strings.Builder
	b.WriteString("From: Anna <anna@af.example>\r\nSubject: Anmälan\r\nMessage-ID: <h@af.example>\r\n" +
		"Content-Type: multipart/mixed; boundary=xx\r\n\r\n--xx\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(blanketBody, "\n", "\r\n"))
	b.WriteString("--xx\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\r\n\r\nroot:x:0:0\r\n")
	b.WriteString("--xx\r\nContent-Type: text/plain; charset=x-klingon\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nqapla\r\n")
	b.WriteString("--xx\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=big.zip\r\n\r\n")
	for i := 0; i < len(big); i += 76 {
		b.WriteString(big[i:min(i+76, len(big))] + "\r\n")
	}
	b.WriteString("--xx--\r\n")
	outs := process(t, p, b.String())
	if outs[0].Kind != classify.NewCase {
		t.Fatalf("outcome %+v", outs[0])
	}
	atts, err := p.Store.Attachments(context.Background(), outs[0].Case)
	if err != nil {
		t.Fatal(err)
	}
	if len(atts) != 3 {
		t.Fatalf("attachments %+v", atts)
	}
	if atts[0].Filename != "passwd" || atts[2].Size != 3<<20 || atts[2].Dropped == "" {
		t.Errorf("attachments %+v", atts)
	}
	if _, found, _ := p.Store.AttachmentContent(context.Background(), atts[2].ID); found {
		t.Error("the oversized attachment's content was stored")
	}
	if content, found, _ := p.Store.AttachmentContent(context.Background(), atts[0].ID); !found || string(content) != "root:x:0:0" {
		t.Errorf("kept attachment content = %q, %v", content, found)
	}
}

func TestReplyFromOutsiderIsQuarantined(t *testing.T) {
	p := newProcessor(t)
	outs := process(t, p, blanketMsg("anna@af.example", "r1@af.example"))
	id := outs[0].Case
	reply := func(from, msgID string) Outcome {
		return process(t, p, fmt.Sprintf("From: %s\r\nSubject: SV: [%s] Anmälan\r\nMessage-ID: <%s>\r\n\r\nEtt tillägg.\r\n", from, id, msgID))[0]
	}
	if o := reply("anna@af.example", "r2@af.example"); o.Kind != classify.Reply || o.Case != id {
		t.Errorf("reporter's reply = %+v", o)
	}
	if o := reply("mallory@evil.example", "r3@evil.example"); o.Kind != classify.Quarantine || o.Case != "" && o.Folder != FolderQuarantine {
		t.Errorf("outsider's reply = %+v", o)
	}
	if o := reply("pl@goteborg.example", "r4@goteborg.example"); o.Kind != classify.Reply {
		t.Errorf("process leader's reply = %+v", o)
	}
}

// The reply to an incomplete blanket names exactly what is missing and
// repeats only what the sender wrote, not the form's defaults.
func TestIncompleteNamesMissingFields(t *testing.T) {
	p := newProcessor(t)
	outs := process(t, p, "From: anna@af.example\r\nSubject: Anmälan\r\nMessage-ID: <inc@af.example>\r\n\r\n"+
		"Namn: Anna Andersson\r\nVad hände?:\r\nFK och AF är oeniga.\r\n")
	if outs[0].Kind != classify.InvalidForm || outs[0].Folder != FolderIncomplete {
		t.Fatalf("outcome %+v", outs[0])
	}
	o := outbox(t, p)
	if len(o) != 1 || o[0].Kind != string(notify.KindIncomplete) || o[0].To != "anna@af.example" {
		t.Fatalf("outbox %+v", o)
	}
	body := o[0].Body
	for _, want := range []string{"  - Organisation\n", "  - Berörda parter\n", "Namn: Anna Andersson", "FK och AF är oeniga.", "LEX HELLER – ANMÄLAN"} {
		if !strings.Contains(body, want) {
			t.Errorf("incomplete mail lacks %q:\n%s", want, body)
		}
	}
	letter, _, _ := strings.Cut(body, "-----") // the blank form follows
	for _, not := range []string{"Får vi kontakta dig?", "Nivå:", "  - Namn"} {
		if strings.Contains(letter, not) {
			t.Errorf("incomplete mail has %q:\n%s", not, body)
		}
	}
	cases, _ := p.Store.Cases(context.Background(), store.CaseFilter{})
	if len(cases) != 0 {
		t.Errorf("%d cases from an incomplete blanket", len(cases))
	}
}

// A coordinator who sends in 15 blankets in a minute gets 15
// acknowledgements; the ladder still holds other automatic mail.
func TestFifteenBlanketsFifteenAcks(t *testing.T) {
	p := newProcessor(t)
	var raws []string
	for i := 0; i < 15; i++ {
		raws = append(raws, blanketMsg("samordnare@kommun.example", fmt.Sprintf("list%d@kommun.example", i)))
	}
	process(t, p, raws...)
	acks := 0
	for _, m := range outbox(t, p) {
		if m.Kind == string(notify.KindAck) && m.Status == store.OutQueued {
			acks++
		}
	}
	if acks != 15 {
		t.Errorf("%d acknowledgements queued, want 15", acks)
	}
	// Requests for the blank form from the same address: the ladder (10 in
	// 10 minutes) holds them, acknowledgements not counted.
	var reqs []string
	for i := 0; i < 12; i++ {
		reqs = append(reqs, fmt.Sprintf("From: <samordnare@kommun.example>\r\nSubject: blankett\r\nMessage-ID: <req%d@kommun.example>\r\n\r\nKan jag få blanketten?\r\n", i))
	}
	process(t, p, reqs...)
	forms, suppressed := 0, 0
	for _, m := range outbox(t, p) {
		if m.Kind == string(notify.KindForm) {
			if m.Status == store.OutQueued {
				forms++
			} else {
				suppressed++
			}
		}
	}
	if forms != 10 || suppressed != 2 {
		t.Errorf("blank forms: %d queued, %d suppressed; want 10 and 2", forms, suppressed)
	}
}

// An answer to the request for what was missing, with just that, makes
// the case from both; one that is still short gets a request naming only
// what is still missing.
func TestCompletingABlanket(t *testing.T) {
	p := newProcessor(t)
	first := "From: Anna <anna@af.example>\r\nSubject: Anmälan\r\nMessage-ID: <half@af.example>\r\n\r\n" +
		"Namn: Anna Andersson\r\nOrganisation: Arbetsförmedlingen Angered\r\nKonsekvens: Personen har ingen ersättning.\r\n"
	outs := process(t, p, first)
	if outs[0].Kind != classify.InvalidForm {
		t.Fatalf("first: %+v", outs[0])
	}
	req := outbox(t, p)[0]
	if req.Kind != string(notify.KindIncomplete) {
		t.Fatalf("first reply %s", req.Kind)
	}
	// Answers with the parties only: still missing what happened.
	answer := func(id, inReplyTo, body string) string {
		return fmt.Sprintf("From: Anna <anna@af.example>\r\nSubject: SV: %s\r\nMessage-ID: <%s>\r\nIn-Reply-To: <%s>\r\n\r\n%s\r\n\r\n> %s\r\n",
			mimeWord(req.Subject), id, inReplyTo, body, strings.ReplaceAll(req.Body, "\n", "\r\n> "))
	}
	outs = process(t, p, answer("half2@af.example", req.MessageID, "Berörda parter: FK, AF"))
	if outs[0].Kind != classify.InvalidForm || !strings.HasSuffix(outs[0].Reason, "still missing: description") {
		t.Fatalf("second: %+v", outs[0])
	}
	all := outbox(t, p)
	req = all[len(all)-1]
	if req.Kind != string(notify.KindIncomplete) || !strings.Contains(req.Body, notify.Label("sv", form.Description)) {
		t.Fatalf("second request should name only what happened as missing: %s\n%s", req.Kind, req.Body)
	}
	outs = process(t, p, answer("half3@af.example", req.MessageID, "Vad hände?\r\nFK drog in sjukpenningen utan att AF visste."))
	if outs[0].Kind != classify.NewCase {
		t.Fatalf("third: %+v", outs[0])
	}
	c := caseNow(t, p, outs[0].Case)
	if c.ReporterOrg != "Arbetsförmedlingen Angered" || strings.Join(c.Parties, ",") != "FK,AF" ||
		!strings.HasPrefix(c.Description, "FK drog in sjukpenningen") || c.Consequence != "Personen har ingen ersättning." {
		t.Errorf("merged case: %+v", c)
	}
	acks := 0
	for _, m := range outbox(t, p) {
		if m.Kind == string(notify.KindAck) {
			acks++
		}
	}
	if acks != 1 {
		t.Errorf("%d acknowledgements, want 1", acks)
	}
	// Someone else answering the same request completes nothing.
	other := strings.Replace(answer("half4@kommun.example", req.MessageID, "Vad hände?\r\nNågot annat."), "anna@af.example", "bo@kommun.example", 1)
	if outs := process(t, p, other); outs[0].Kind == classify.NewCase {
		t.Errorf("another sender completed the blanket: %+v", outs[0])
	}
}

// The acknowledgement greets the reporter by first name, names whom to
// contact, when to expect news and how personal data is handled.
func TestAcknowledgementSaysWhatComesNext(t *testing.T) {
	p := newProcessor(t)
	fb := &p.Classify.Forbund[0]
	fb.Contact = config.Contact{Name: "Pia Processledare", Email: "pia@goteborg.example", Phone: "031-123 45 67"}
	fb.NewsWithin, fb.PrivacyURL, fb.PersonalDataDays = "inom två veckor", "https://finsam.example/personuppgifter", 730
	process(t, p, blanketMsg("anna@af.example", "ack@af.example"))
	var ack *store.OutMail
	for _, m := range outbox(t, p) {
		if m.Kind == string(notify.KindAck) {
			ack = m
		}
	}
	if ack == nil {
		t.Fatal("no acknowledgement")
	}
	for _, want := range []string{"Hej Anna!", "Pia Processledare", "pia@goteborg.example", "031-123 45 67", "inom två veckor",
		"https://finsam.example/personuppgifter", "två år"} {
		if !strings.Contains(ack.Body, want) {
			t.Errorf("the acknowledgement lacks %q:\n%s", want, ack.Body)
		}
	}
	if strings.Contains(ack.Body, "Hej Anna Andersson") {
		t.Errorf("greets with the whole name:\n%s", ack.Body)
	}
}

// A reporter's "Nivå: Vet ej" is kept as such, apart from a level not
// given, and an event date that is no date is not stored.
func TestLevelUnknownAndUnreadableDate(t *testing.T) {
	p := newProcessor(t)
	body := strings.Replace(blanketBody, "Namn: Anna Andersson", "Namn: Anna Andersson\nNivå: Vet ej\nDatum för händelsen: förra veckan", 1)
	raw := fmt.Sprintf("From: Anna <anna@af.example>\r\nTo: lexheller@finsam.example\r\nSubject: Anmälan\r\nMessage-ID: <vetej@af.example>\r\n\r\n%s",
		strings.ReplaceAll(body, "\n", "\r\n"))
	outs := process(t, p, raw)
	if outs[0].Kind != classify.NewCase {
		t.Fatalf("outcome %+v", outs[0])
	}
	c, err := p.Store.Case(context.Background(), outs[0].Case)
	if err != nil {
		t.Fatal(err)
	}
	if c.Level != form.LevelUnknown || c.EventDate != "" {
		t.Errorf("level %q, event date %q; want %q and none", c.Level, c.EventDate, form.LevelUnknown)
	}
	// The process leaders see what could not be read.
	for _, m := range outbox(t, p) {
		if m.Kind == string(notify.KindNotifyNew) && !strings.Contains(m.Body, "Datum för händelsen: ”förra veckan”") {
			t.Errorf("the notification does not show the unreadable date:\n%s", m.Body)
		}
	}
}

// A blanket sent as a Word file with no text: the answer says what was
// received, not that nothing was written.
func TestAttachedBlanketAnsweredWithWhatCame(t *testing.T) {
	p := newProcessor(t)
	// A Word document that holds no blanket (a minutes, say): the sender
	// is told what came.
	var doc bytes.Buffer
	if err := docx.Blank(&doc, "Protokoll från mötet\nInget om någon anmälan här.", "sv"); err != nil {
		t.Fatal(err)
	}
	raw := withDocx("anna@af.example", "docx@af.example", "", "Lex Heller blankett.docx", doc.Bytes())
	outs := process(t, p, raw)
	if outs[0].Kind != classify.InvalidForm {
		t.Fatalf("outcome %+v", outs[0])
	}
	ms := outbox(t, p)
	if len(ms) != 1 || ms[0].Kind != string(notify.KindIncomplete) {
		t.Fatalf("queued %d mails: %+v", len(ms), ms)
	}
	if !strings.Contains(ms[0].Body, "bilagan Lex Heller blankett.docx") || strings.Contains(ms[0].Body, "Så här uppfattade vi") {
		t.Errorf("the answer does not say what came:\n%s", ms[0].Body)
	}
}

// A message whose structure cannot be read (parts nested 50 deep) is not
// answered with the blank form: it goes to Karantän with its reason.
func TestUnreadableStructureIsQuarantined(t *testing.T) {
	p := newProcessor(t)
	inner := "From: a@af.example\r\nContent-Type: text/plain\r\n\r\nNamn: Anna Andersson\r\n"
	for i := 0; i < 50; i++ {
		inner = "From: f@af.example\r\nContent-Type: message/rfc822\r\n\r\n" + inner
	}
	raw := "To: lexheller@finsam.example\r\nSubject: x\r\nMessage-ID: <deep@af.example>\r\n" + inner
	outs := process(t, p, raw)
	if outs[0].Kind != classify.Quarantine || outs[0].Folder != FolderQuarantine || !strings.Contains(outs[0].Reason, "structure") {
		t.Fatalf("outcome %+v", outs[0])
	}
	for _, m := range outbox(t, p) {
		if m.To == "f@af.example" {
			t.Errorf("the sender was answered: %s", m.Kind)
		}
	}
}

// Other mail with a document (an invoice) is no report: a person looks at
// it, and its sender gets no request for a blanket.
func TestDocumentWithoutReportWordsIsQuarantined(t *testing.T) {
	p := newProcessor(t)
	raw := "From: <ekonomi@leverantor.example>\r\nTo: lexheller@finsam.example\r\nSubject: Faktura 4711\r\nMessage-ID: <inv@leverantor.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe bifogad faktura.\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"faktura.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n"
	outs := process(t, p, raw)
	if outs[0].Kind != classify.Quarantine {
		t.Fatalf("outcome %+v", outs[0])
	}
	for _, m := range outbox(t, p) {
		if m.To == "ekonomi@leverantor.example" {
			t.Errorf("the sender was answered: %s", m.Kind)
		}
	}
}
