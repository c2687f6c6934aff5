package parse

// Tests of real mail as it comes (issue 12): the corpus in testdata/ is
// written the way the named clients write; each test says which mails it
// reads. These tests use only what Parse always returned, so they can be
// run against older versions of the package too.

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"os"
	"strings"
	"testing"
	"unicode/utf16"
)

func parseFile(t *testing.T, name string) *Message {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(bytes.NewReader(raw), nil)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	checkInvariants(t, m)
	return m
}

// wantText checks that m.Text has each of the lines.
func wantText(t *testing.T, name string, m *Message, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(m.Text, l) {
			got := m.Text
			if len(got) > 300 {
				got = got[:300] + "…"
			}
			t.Errorf("Parse(%s).Text = %q, want it to contain %q", name, got, l)
		}
	}
}

// Class 2: the top-level header.
func TestLenientHeaderCorpus(t *testing.T) {
	tests := []struct {
		file, from, subject string
		text                []string
	}{
		{"header-mbox-thunderbird.eml", "anna.andersson@arbetsformedlingen.se", "Anmälan av avvikelse",
			[]string{"Namn: Anna Andersson", "Berörda parter: Försäkringskassan"}},
		{"header-mbox-mutt.eml", "bo.berg@kommun.example", "Avvikelse",
			[]string{"Organisation: Göteborgs Stad, ekonomiskt bistånd"}},
		{"header-junk-first-line.eml", "cecilia.dahl@region.example", "Lex Heller",
			[]string{"Organisation: Vårdcentralen Angered", "Berörda parter: Region, FK"}},
		{"header-unindented-continuation.eml", "noreply@kommun.example", "Avvikelse – ekonomiskt bistånd och Försäkringskassan",
			[]string{"Namn: Dan Ek"}},
		{"header-body-without-blank-line.eml", "webform@finsam.example", "Ny avvikelse via webbformulär",
			[]string{"Namn: Erik Fors\nOrganisation: Försäkringskassan\nDatum för händelsen: 2026-11-17\nBerörda parter: FK, AF"}},
		{"header-two-from.eml", "anna.andersson@arbetsformedlingen.se", "Avvikelse",
			[]string{"Namn: Anna Andersson"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := parseFile(t, tt.file)
			if m.From.Address != tt.from || m.Subject != tt.subject {
				t.Errorf("Parse(%s): From %q, Subject %q; want %q, %q", tt.file, m.From.Address, m.Subject, tt.from, tt.subject)
			}
			wantText(t, tt.file, m, tt.text...)
		})
	}
	m := parseFile(t, "header-unindented-continuation.eml")
	if len(m.To) != 2 || m.To[1].Address != "processledare@goteborg.example" {
		t.Errorf("To = %q, want the unindented second address joined", m.To)
	}
	m = parseFile(t, "header-body-without-blank-line.eml")
	if m.Header.Has("Namn") || m.Header.Get("X-Mailer") != "PHP/8.2.12" {
		t.Errorf("Header: Namn %q, X-Mailer %q; want no Namn field, X-Mailer kept", m.Header.Get("Namn"), m.Header.Get("X-Mailer"))
	}
}

// Class 2: the header rules one by one.
func TestLenientHeader(t *testing.T) {
	long := strings.Repeat("x", 5<<20)
	tests := []struct {
		name, raw, from, subject, text string
	}{
		{"mbox From line", "From anna@af.se Thu Nov 12 10:14:00 2026\r\nFrom: anna@af.se\r\nSubject: s\r\n\r\nText", "anna@af.se", "s", "Text"},
		{"Thunderbird From line", "From - Thu Nov 12 10:14:00 2026\nFrom: anna@af.se\n\nText", "anna@af.se", "", "Text"},
		{"junk line", "---- Original email message ----\r\nFrom: anna@af.se\r\n\r\nText", "anna@af.se", "", "Text"},
		{"LF line ends", "From: anna@af.se\nSubject: s\n\nText\n", "anna@af.se", "s", "Text\n"},
		{"unindented continuation", "Subject: a\r\nb\r\nFrom: anna@af.se\r\n\r\nText", "anna@af.se", "a b", "Text"},
		{"unindented lines at the end start the body", "From: anna@af.se\r\nSubject: s\r\nHej!\r\nNamn: Anna\r\n", "anna@af.se", "s", "Hej!\nNamn: Anna\n"},
		{"unknown fields before the body's first line", "From: anna@af.se\r\nNamn: Anna\r\nVad hände?: inget\r\n", "anna@af.se", "", "Namn: Anna\nVad hände?: inget\n"},
		{"a label with spaces", "From: anna@af.se\r\nBerörda parter: FK\r\n", "anna@af.se", "", "Berörda parter: FK\n"},
		{"space before the colon", "From : anna@af.se\r\nSubject\t: s\r\n\r\nText", "anna@af.se", "s", "Text"},
		{"first From without an address", "From: Anna\r\nFrom: <anna@af.se>\r\n\r\nText", "anna@af.se", "", "Text"},
		{"first From empty", "From:\r\nFrom: anna@af.se\r\n\r\nText", "anna@af.se", "", "Text"},
		{"header over 4 MB", "From: anna@af.se\r\nX-Junk: " + long + "\r\n more\r\nSubject: s\r\n\r\nText", "anna@af.se", "", "Text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.raw, nil)
			if m.From.Address != tt.from || m.Subject != tt.subject || m.Text != tt.text {
				t.Errorf("Parse(%.60q): From %q, Subject %q, Text %.80q; want %q, %q, %q", tt.raw, m.From.Address, m.Subject, m.Text, tt.from, tt.subject, tt.text)
			}
		})
	}
	// Junk and then no known field is not a message.
	for _, raw := range []string{"hello\r\nNamn: Anna\r\n\r\nText", "a\r\nb\r\nc\r\nd\r\nFrom: anna@af.se\r\n\r\nText"} {
		if m, err := Parse(strings.NewReader(raw), nil); err == nil {
			t.Errorf("Parse(%q) = %+v, want ErrUnreadable", raw, m)
		}
	}
}

// Class 3: boundaries.
func TestBoundaryCorpus(t *testing.T) {
	m := parseFile(t, "boundary-name-clash.eml")
	wantText(t, "boundary-name-clash.eml", m, "Namn: Anna Andersson", "Får ärendet publiceras anonymiserat?: Ja")
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "beslut.pdf" || !bytes.HasPrefix(m.Attachments[0].Content, []byte("%PDF")) {
		t.Errorf("name clash: Attachments = %+v, want beslut.pdf", m.Attachments)
	}
	if len(m.Problems) != 0 {
		t.Errorf("name clash: Problems = %q", m.Problems)
	}

	m = parseFile(t, "boundary-trailing-text.eml")
	if m.Text != "Se bifogad blankett." || len(m.Attachments) != 1 || m.Attachments[0].Filename != "blankett.txt" ||
		!strings.Contains(string(m.Attachments[0].Content), "Berörda parter:") || len(m.Problems) != 0 {
		t.Errorf("trailing text: Text %q, Attachments %+v, Problems %q", m.Text, m.Attachments, m.Problems)
	}

	m = parseFile(t, "multipart-no-parts.eml")
	wantText(t, "multipart-no-parts.eml", m, "Namn: Cecilia Dahl\nOrganisation: Region, vårdcentral")
	if strings.Contains(m.Text, "--alt-0001") || problem(m, "has no parts") == "" {
		t.Errorf("no parts: Text %q, Problems %q", m.Text, m.Problems)
	}
}

func TestBoundaries(t *testing.T) {
	const text = "Namn: Anna Andersson"
	part := "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n"
	long := strings.Repeat("b", 5000)
	tests := []struct {
		name, boundary, body, want string
		atts                       int
	}{
		{"inner boundary extends the outer", "X",
			"--X\r\nContent-Type: multipart/alternative; boundary=X-1\r\n\r\n--X-1\r\n" + part + "--X-1--\r\n--X\r\nContent-Type: image/png\r\n\r\nPNG\r\n--X--\r\n",
			text, 1},
		{"a line like the boundary in the text", "X", "--X\r\n" + part + "--X-ray\r\n--Xylophone\r\n--X--\r\n", text + "\n--X-ray\n--Xylophone", 0},
		{"boundary longer than 4 KB", long, "--" + long + "\r\n" + part + "--" + long + "--\r\n", text, 0},
		{"preamble line longer than 4 KB", "b", strings.Repeat("p", 10000) + "\r\n--b\r\n" + part + "--b--\r\n", text, 0},
		{"text line longer than 4 KB", "b", "--b\r\n" + part + strings.Repeat("t", 10000) + "\r\n--b--\r\n", text + "\n" + strings.Repeat("t", 10000), 0},
		{"delimiter with text after it", "b", "--b (first)\r\n" + part + "--b\tnext\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--\r\n", text, 1},
		{"closing line with text after it", "b", "--b\r\n" + part + "--b--end of message\r\n", text, 0},
		{"closing line without a line end", "b", "--b\r\n" + part + "--b--", text, 0},
		{"part header without a blank line", "b", "--b\r\nContent-Type: text/plain\r\nNamn: Anna Andersson\r\n--b--\r\n", text, 0},
		{"LF line ends", "b", "--b\nContent-Type: text/plain\n\nNamn: Anna Andersson\n--b--\n", text, 0},
		{"nothing but a closing line and text", "b", text + "\r\n--b--\r\n", text + "\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, msg("From: a@b.example\nContent-Type: multipart/mixed; boundary=\""+tt.boundary+"\"\n", tt.body), nil)
			if m.Text != tt.want || len(m.Attachments) != tt.atts {
				t.Errorf("Parse(%s): Text %.100q, %d attachments; want %.100q, %d (Problems %q)", tt.name, m.Text, len(m.Attachments), tt.want, tt.atts, m.Problems)
			}
			checkInvariants(t, m)
		})
	}
}

// Class 4: a body that is only an attached message.
func TestAttachedMessage(t *testing.T) {
	for _, file := range []string{"forward-as-attachment-outlook.eml", "digest-mutt.eml"} {
		m := parseFile(t, file)
		wantText(t, file, m, "Namn: Anna Andersson", "Berörda parter: Försäkringskassan, Arbetsförmedlingen")
		if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "message/rfc822" || !m.Attachments[0].Kept() {
			t.Errorf("Parse(%s).Attachments = %+v, want the message kept", file, m.Attachments)
		}
	}
	// A text of its own wins over the attached message's.
	m := mustParse(t, msg("Content-Type: multipart/mixed; boundary=M\n",
		"--M\r\nContent-Type: text/plain\r\n\r\nSe bifogat.\r\n--M\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@b.example\r\n\r\nNamn: Anna\r\n--M--\r\n"), nil)
	if m.Text != "Se bifogat." {
		t.Errorf("Text = %q, want the outer text", m.Text)
	}
	// Messages in messages, and a whole message that is one.
	inner := "From: a@b.example\r\nContent-Type: text/plain\r\n\r\nNamn: Anna\r\n"
	for i := 0; i < 3; i++ {
		inner = "From: f@b.example\r\nContent-Type: message/rfc822\r\n\r\n" + inner
	}
	m = mustParse(t, inner, nil)
	if m.Text != "Namn: Anna\n" {
		t.Errorf("3 nested messages: Text = %q", m.Text)
	}
}

// Class 5: a stub text/plain beside the real HTML.
func TestStubPlain(t *testing.T) {
	m := parseFile(t, "html-stub-plain.eml")
	wantText(t, "html-stub-plain.eml", m, "Namn: Anna Andersson", "Berörda parter: Försäkringskassan, Arbetsförmedlingen")
	if !m.FromHTML {
		t.Errorf("FromHTML = false, want the HTML's text")
	}
	// A plain part as long as the HTML is kept.
	m = mustParse(t, msg("Content-Type: multipart/alternative; boundary=b\n",
		"--b\r\nContent-Type: text/plain\r\n\r\nJa, det stämmer.\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>Ja, det <b>stämmer</b>.</p>\r\n--b--\r\n"), nil)
	if m.Text != "Ja, det stämmer." || m.FromHTML {
		t.Errorf("Text = %q, FromHTML %v; want the plain part", m.Text, m.FromHTML)
	}
}

// Class 6: raw 8-bit headers in the charset of the message's parts.
func TestRaw8bitHeaders(t *testing.T) {
	tests := []struct{ file, name, subject string }{
		{"headers-8bit-gb2312.eml", "王小明", "关于合作的问题"},
		{"headers-8bit-shift-jis.eml", "山田太郎", "報告書について"},
		{"headers-8bit-windows-1252.eml", "Åsa Öberg", "Avvikelse – ”brådskande”"},
	}
	for _, tt := range tests {
		m := parseFile(t, tt.file)
		if m.From.Name != tt.name || m.Subject != tt.subject {
			t.Errorf("Parse(%s): From.Name %q, Subject %q; want %q, %q", tt.file, m.From.Name, m.Subject, tt.name, tt.subject)
		}
	}
	// A Latin-1 header beside a GB2312 body is not valid GB2312: it
	// stays Windows-1252.
	m := mustParse(t, msg("From: B\xe5rd <b@k.example>\nSubject: Fr\xe5nvaro\nContent-Type: text/plain; charset=gb2312\n", "x"), nil)
	if m.From.Name != "Bård" || m.Subject != "Frånvaro" {
		t.Errorf("Latin-1 beside GB2312: From.Name %q, Subject %q", m.From.Name, m.Subject)
	}
}

// Class 7: one stray byte in a UTF-8 body.
func TestStrayByte(t *testing.T) {
	m := parseFile(t, "utf8-stray-byte.eml")
	wantText(t, "utf8-stray-byte.eml", m, "Berörda parter: Försäkringskassan, Arbetsförmedlingen",
		"Telefon: 010-123 45 67 – växel", "Får ärendet publiceras anonymiserat?: Ja")
	tests := []struct{ in, cs, want string }{
		{"Berörda parter: FK\n\xa0\nVad hände?: x", "utf-8", "Berörda parter: FK\n\u00a0\nVad hände?: x"},
		{"Namn: Åsa\xa0Öberg", "", "Namn: Åsa\u00a0Öberg"},
		{"G\xf6teborg\nBorås", "", "Göteborg\nBorås"},
		// A Latin-1 line with a pair of bytes that happens to be UTF-8
		// ("Ä" and "–") is still Latin-1.
		{"\xc4\x96 och \xe5", "iso-8859-1", "Ä– och å"},
	}
	for _, tt := range tests {
		if got := DecodeText([]byte(tt.in), tt.cs); got != tt.want {
			t.Errorf("DecodeText(%q, %q) = %q, want %q", tt.in, tt.cs, got, tt.want)
		}
	}
}

// Class 12: Outlook's winmail.dat.

// tnefAttr encodes one TNEF attribute (MS-OXTNEF section 2.1.3).
func tnefAttr(level byte, id, typ uint16, data []byte) []byte {
	b := []byte{level}
	b = binary.LittleEndian.AppendUint16(b, id)
	b = binary.LittleEndian.AppendUint16(b, typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	var sum uint16
	for _, c := range data {
		sum += uint16(c)
	}
	return binary.LittleEndian.AppendUint16(b, sum)
}

type mapiProp struct {
	typ, id uint16
	val     []byte
}

// mapiProps encodes a MAPI property list (MS-OXTNEF section 2.1.3.4).
func mapiProps(props ...mapiProp) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(props)))
	for _, p := range props {
		b = binary.LittleEndian.AppendUint16(b, p.typ)
		b = binary.LittleEndian.AppendUint16(b, p.id)
		if p.typ == 0x0003 { // PtypInteger32
			b = append(b, p.val...)
			continue
		}
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p.val)))
		b = append(b, p.val...)
		b = append(b, make([]byte, -len(p.val)&3)...)
	}
	return b
}

func utf16z(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s + "\x00")) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// winmail builds a winmail.dat as Outlook writes it: the message's
// properties with a Unicode body, then each attachment's.
func winmail(body string, files ...[2]string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x223e9f78)
	b = binary.LittleEndian.AppendUint16(b, 0x4d2)
	b = append(b, tnefAttr(1, 0x9006, 0x0008, []byte{0, 0, 1, 0})...)                // attTnefVersion
	b = append(b, tnefAttr(1, 0x9007, 0x0006, []byte{0xe4, 4, 0, 0, 0, 0, 0, 0})...) // attOemCodepage 1252
	b = append(b, tnefAttr(1, 0x8008, 0x0007, []byte("IPM.Microsoft Mail.Note\x00"))...)
	b = append(b, tnefAttr(1, 0x9003, 0x0006, mapiProps(
		mapiProp{0x0003, 0x3FDE, []byte{0xe4, 4, 0, 0}}, // PidTagInternetCodepage 1252
		mapiProp{0x001F, 0x0037, utf16z("Avvikelse")},   // PidTagSubject
		mapiProp{0x001F, 0x1000, utf16z(body)},          // PidTagBody
	))...)
	for _, f := range files {
		b = append(b, tnefAttr(2, 0x9002, 0x0006, make([]byte, 14))...) // attAttachRenddata
		b = append(b, tnefAttr(2, 0x8010, 0x0001, []byte(f[0]+"\x00"))...)
		b = append(b, tnefAttr(2, 0x800F, 0x0006, []byte(f[1]))...)
	}
	return b
}

func b64lines(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return out.String() + s + "\r\n"
}

const winmailBlanket = "Namn: Karin Lund\r\nOrganisation: Borås Stad, försörjningsstöd\r\nBerörda parter: Kommun, FK\r\nVad hände?: Beslutet från FK kom aldrig fram till kommunen.\r\n"

var pdf = "%PDF-1.4\n%\xc7\xec\x8f\xa2\n1 0 obj\n<</Type/Catalog>>\nendobj\n%%EOF\n"

// winmailCorpus are the winmail.dat mails of testdata, built here so that
// their TNEF stays readable; go test -update writes them.
var winmailCorpus = map[string]string{
	// Exchange to an Outlook that asked for rich text: all in winmail.dat.
	"winmail-only.eml": msg(`
From: Karin Lund <karin.lund@boras.example>
To: Lex Heller <lexheller@finsam.example>
Subject: Avvikelse
Date: Tue, 1 Dec 2026 14:02:00 +0000
Message-ID: <DB7PR01MB5555.eurprd01.prod.exchangelabs.com>
Content-Language: sv-SE
X-MS-Has-Attach: yes
X-MS-TNEF-Correlator: <DB7PR01MB5555.eurprd01.prod.exchangelabs.com>
MIME-Version: 1.0
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Disposition: attachment; filename="winmail.dat"
Content-Transfer-Encoding: base64
`, b64lines(winmail(strings.ReplaceAll(winmailBlanket, "\r\n", "\n"), [2]string{"beslut.pdf", pdf}))),
	// Outlook in rich text mode to the internet: a plain rendering beside
	// winmail.dat, which holds the attachments.
	"winmail-attachments.eml": msg(`
From: Karin Lund <karin.lund@boras.example>
To: lexheller@finsam.example
Subject: Avvikelse
Date: Tue, 1 Dec 2026 14:05:00 +0100
Message-ID: <000c01d9abcd$12345678$9abcdef0@boras.example>
MIME-Version: 1.0
X-Mailer: Microsoft Outlook 16.0
Content-Type: multipart/mixed; boundary="----=_NextPart_000_000D_01D9ABCD.12345678"
`, "This is a multipart message in MIME format.\r\n\r\n------=_NextPart_000_000D_01D9ABCD.12345678\r\n"+
		"Content-Type: text/plain; charset=\"us-ascii\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSe bifogad blankett.\r\n\r\n"+
		"------=_NextPart_000_000D_01D9ABCD.12345678\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"+
		"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\n\r\n"+
		b64lines(winmail("Se bifogad blankett.", [2]string{"blankett.txt", "\xef\xbb\xbf" + winmailBlanket}, [2]string{"beslut.pdf", pdf}))+
		"\r\n------=_NextPart_000_000D_01D9ABCD.12345678--\r\n"),
}

func TestWinmail(t *testing.T) {
	for name, raw := range winmailCorpus {
		if *update {
			if err := os.WriteFile("testdata/"+name, []byte(raw), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if b, err := os.ReadFile("testdata/" + name); err != nil || string(b) != raw {
			t.Errorf("testdata/%s differs from winmailCorpus (%v): run go test -update", name, err)
		}
	}
	m := parseFile(t, "winmail-only.eml")
	wantText(t, "winmail-only.eml", m, "Namn: Karin Lund\nOrganisation: Borås Stad, försörjningsstöd\nBerörda parter: Kommun, FK")
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "beslut.pdf" || m.Attachments[0].ContentType != "application/pdf" ||
		string(m.Attachments[0].Content) != pdf {
		t.Errorf("winmail-only: Attachments = %+v, want beslut.pdf", m.Attachments)
	}

	m = parseFile(t, "winmail-attachments.eml")
	if m.Text != "Se bifogad blankett.\n" || len(m.Attachments) != 2 || m.Attachments[0].Filename != "blankett.txt" ||
		!strings.Contains(string(m.Attachments[0].Content), "Berörda parter: Kommun, FK") || m.Attachments[1].Filename != "beslut.pdf" {
		t.Errorf("winmail-attachments: Text %q, Attachments %+v", m.Text, m.Attachments)
	}

	// A broken winmail.dat is kept as it is, whatever it holds.
	good := winmail("Namn: Karin", [2]string{"a.pdf", pdf})
	for i, bad := range [][]byte{good[:3], good[:20], good[:len(good)-9], append(bytes.Clone(good[:6]), good[len(good)-30:]...), []byte("not TNEF at all")} {
		raw := msg("From: a@b.example\nContent-Type: application/ms-tnef\nContent-Transfer-Encoding: base64\n", b64lines(bad))
		m := mustParse(t, raw, nil)
		checkInvariants(t, m)
		if len(m.Attachments) == 0 {
			t.Errorf("broken winmail.dat %d: nothing kept (Problems %q)", i, m.Problems)
		}
	}
}
