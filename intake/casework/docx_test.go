package casework

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"lexheller/intake/classify"
	"lexheller/intake/docx"
	"lexheller/intake/parse"
	"lexheller/notify"
)

// withDocx is a mail from `from` with text and a Word document attached.
func withDocx(from, id, text, name string, doc []byte) string {
	b64 := base64.StdEncoding.EncodeToString(doc)
	var lines []string
	for len(b64) > 76 {
		lines, b64 = append(lines, b64[:76]), b64[76:]
	}
	lines = append(lines, b64)
	return fmt.Sprintf("From: Anna <%s>\r\nTo: lexheller@finsam.example\r\nSubject: Lex Heller-anmälan\r\nMessage-ID: <%s>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"+
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"+
		"--b1\r\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name=\"%s\"\r\n"+
		"Content-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n",
		from, id, text, name, name, strings.Join(lines, "\r\n"))
}

func TestWordBlanket(t *testing.T) {
	table, err := os.ReadFile("../docx/testdata/table.docx")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}

	// The blanket only in the document.
	outs := process(t, p, withDocx(reporter, "w1@af.example", "Hej! Här kommer min anmälan.\r\n\r\nMvh Anna", "anmalan.docx", table))
	if outs[0].Kind != classify.NewCase {
		t.Fatalf("a blanket in a Word document: %+v", outs[0])
	}
	c := caseNow(t, p, outs[0].Case)
	if c.ReporterOrg != "Arbetsförmedlingen Angered" || c.Level != "organisering" || !strings.Contains(c.Description, "aktivitetsstödet dras in") ||
		strings.Join(c.Parties, ",") != "FK,Kommun" {
		t.Errorf("the case from the document: %+v", c)
	}
	ack := only(t, log.next(), string(notify.KindAck), reporter)
	if !strings.Contains(ack.Body, "Vi läste blanketten i det bifogade dokumentet anmalan.docx") {
		t.Errorf("the acknowledgement does not say the document was read:\n%s", ack.Body)
	}

	// A blanket in the text that leaves out what the document has.
	text := "Namn: Bo Berg\r\nVad hände?\r\nFK och kommunen gav motstridiga besked.\r\n"
	outs = process(t, p, withDocx("bo@af.example", "w2@af.example", text, "blankett.docx", table))
	c = caseNow(t, p, outs[0].Case)
	if c.ReporterName != "Bo Berg" || c.Description != "FK och kommunen gav motstridiga besked." || c.ReporterOrg != "Arbetsförmedlingen Angered" {
		t.Errorf("text and document together: %+v", c)
	}
	ack = only(t, log.next(), string(notify.KindAck), "bo@af.example")
	if !strings.Contains(ack.Body, "Det som saknades i mejlet tog vi från det bifogade dokumentet") {
		t.Errorf("the acknowledgement does not say the document filled in:\n%s", ack.Body)
	}

	// A zip bomb instead of a document: quarantined with the reason, nothing sent.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("word/document.xml")
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 60 {
		w.Write(chunk)
	}
	zw.Close()
	outs = process(t, p, withDocx("cecilia@af.example", "w3@af.example", "Se bifogad anmälan.", "anmalan.docx", bomb.Bytes()))
	if outs[0].Folder != FolderQuarantine || !strings.Contains(outs[0].Reason, "Word document cannot be read") {
		t.Errorf("a zip bomb: %+v", outs[0])
	}
	for _, m := range log.next() {
		if m.To == "cecilia@af.example" {
			t.Errorf("the zip bomb's sender got %s", m.Kind)
		}
	}
}

// [form] attach_docx: the blank form goes with the Word blanket attached,
// and that document reads back as the blanket's labels.
func TestBlankFormWithWordBlanket(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	p.AttachDocx = true
	log := &mailLog{t: t, p: p}
	process(t, p, "From: <ny@kommun.example>\r\nTo: lexheller@finsam.example\r\nSubject: Blankett\r\nMessage-ID: <f1@kommun.example>\r\n\r\n")
	m := only(t, log.next(), string(notify.KindForm), "ny@kommun.example")
	msg, err := parse.Parse(bytes.NewReader(m.Raw), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Attachments) != 1 || msg.Attachments[0].Filename != "lex-heller-blankett.docx" {
		t.Fatalf("attachments %+v", msg.Attachments)
	}
	a := msg.Attachments[0]
	text, err := docx.Text(bytes.NewReader(a.Content), int64(len(a.Content)), docx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"Datum för händelsen", "Ditt namn", "Organisation", "Berörda parter", "Vad hände?", "Får vi kontakta dig?"} {
		if !strings.Contains(text, label) {
			t.Errorf("the Word blanket lacks %q:\n%s", label, text)
		}
	}
}

// The Word blanket in each layout (label paragraphs, the blank blanket
// filled in; both as LibreOffice writes them) makes the same case as the
// same blanket mailed as text.
func TestWordLayoutsMakeTheMailedCase(t *testing.T) {
	mailed, err := os.ReadFile("../docx/testdata/paragraphs.txt")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	key := func(id string) string {
		c := caseNow(t, p, id)
		flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
		return fmt.Sprintf("%s|%s|%s|%v|%s|%s|%s|%s|%v|%v", c.EventDate, c.ReporterName, c.ReporterOrg, c.Parties, c.Level,
			flat(c.Description), flat(c.Consequence), flat(c.Suggestion), c.ContactOK, c.PublishOK)
	}
	outs := process(t, p, blanketMsg(reporter, "text@af.example")[:0]+
		fmt.Sprintf("From: Anna <%s>\r\nTo: lexheller@finsam.example\r\nSubject: Anmälan\r\nMessage-ID: <text@af.example>\r\n\r\n%s",
			reporter, strings.ReplaceAll(string(mailed), "\n", "\r\n")))
	want := key(outs[0].Case)
	for i, name := range []string{"paragraphs.docx", "blank-filled.docx"} {
		doc, err := os.ReadFile("../docx/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		outs := process(t, p, withDocx(reporter, fmt.Sprintf("doc%d@af.example", i), "", name, doc))
		if outs[0].Kind != classify.NewCase {
			t.Fatalf("%s: %+v", name, outs[0])
		}
		if got := key(outs[0].Case); got != want {
			t.Errorf("%s makes another case:\n got %s\nwant %s", name, got, want)
		}
	}
}

// A Word document larger than a message may keep (a 50 MB image in it,
// say; here the limit is made small): not read, the mail to Karantän with
// the reason, nothing sent.
func TestWordBlanketTooLarge(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	p.Parse = &parse.Options{MaxAttachmentBytes: 64 << 10}
	var big bytes.Buffer
	zw := zip.NewWriter(&big)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "word/media/image1.png", Method: zip.Store})
	img := make([]byte, 200<<10)
	for i := range img {
		img[i] = byte(i*7 + i/3)
	}
	w.Write(img)
	d, _ := zw.Create("word/document.xml")
	d.Write([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Namn: Anna</w:t></w:r></w:p></w:body></w:document>`))
	zw.Close()
	outs := process(t, p, withDocx("dora@af.example", "big@af.example", "Se bifogad blankett.", "blankett.docx", big.Bytes()))
	if outs[0].Folder != FolderQuarantine || !strings.Contains(outs[0].Reason, "not kept") {
		t.Errorf("a Word document over the limit: %+v", outs[0])
	}
	for _, m := range outbox(t, p) {
		if m.To == "dora@af.example" {
			t.Errorf("its sender got %s", m.Kind)
		}
	}
}
