package parse

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the parser's output")

// msg builds a raw message from header lines and a body, with CRLF line
// ends as on the wire.
func msg(header, body string) string {
	return strings.ReplaceAll(strings.TrimLeft(header, "\n"), "\n", "\r\n") + "\r\n" + body
}

func mustParse(t *testing.T, raw string, opts *Options) *Message {
	t.Helper()
	m, err := Parse(strings.NewReader(raw), opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// problem returns the first problem containing sub, or "".
func problem(m *Message, sub string) string {
	for _, p := range m.Problems {
		if strings.Contains(p, sub) {
			return p
		}
	}
	return ""
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		in   string
		cs   string
		want string
	}{
		// Declared charsets of go-message/charset.
		{"Pris 100 \xa4, \xbdvre", "iso-8859-15", "Pris 100 €, œvre"},
		{"\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет"},
		{"\x93\xfa\x96\x7b", "shift_jis", "日本"},
		{"\x93\xfa\x96\x7b", `"Shift_JIS"`, "日本"},
		{"\xcf\xf0\xe8\xe2\xe5\xf2", "windows-1251", "Привет"},
		{"N\x00a\x00", "utf-16le", "Na"},
		// iso-8859-1 and us-ascii labels are read as Windows-1252.
		{"2026\x962027 \x92t \xe5\xe4\xf6", "iso-8859-1", "2026–2027 ’t åäö"},
		{"2026\x962027 \x92t", "ISO-8859-1", "2026–2027 ’t"},
		{"\x93citat\x94 \x80", "us-ascii", "“citat” €"},
		{"G\xf6teborg", "latin1", "Göteborg"},
		{"G\xf6teborg", "windows-1252", "Göteborg"},
		// No label: valid UTF-8 stays UTF-8, anything else is Windows-1252.
		{"Åsa Öberg – ”citat”", "", "Åsa Öberg – ”citat”"},
		{"\xc5sa \xd6berg", "", "Åsa Öberg"},
		// A wrong utf-8 label over Latin-1 bytes.
		{"G\xf6teborgs Stad", "utf-8", "Göteborgs Stad"},
		{"G\xf6teborgs Stad", "UTF8", "Göteborgs Stad"},
		// Unknown labels fall back.
		{"F\xf6rs\xe4kringskassan", "x-unknown", "Försäkringskassan"},
		{"Försäkringskassan", "x-no-such-charset", "Försäkringskassan"},
		{"F\xf6rs\xe4kringskassan", "x-no-such-charset", "Försäkringskassan"},
		// A byte order mark wins over the label and is removed.
		{"\xef\xbb\xbfNamn: Åsa", "", "Namn: Åsa"},
		{"\xef\xbb\xbfNamn: Åsa", "iso-8859-1", "Namn: Åsa"},
		{"\xff\xfeN\x00a\x00m\x00n\x00:\x00 \x00\xc5\x00", "", "Namn: Å"},
		{"\xfe\xff\x00N\x00a", "us-ascii", "Na"},
		{"", "", ""},
		{"", "koi8-r", ""},
	}
	for _, tt := range tests {
		got := DecodeText([]byte(tt.in), tt.cs)
		if got != tt.want {
			t.Errorf("DecodeText(%q, %q) = %q, want %q", tt.in, tt.cs, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("DecodeText(%q, %q) = %q: not valid UTF-8", tt.in, tt.cs, got)
		}
	}
}

func TestDecodeHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Lex Heller", "Lex Heller"},
		{"=?utf-8?Q?Anm=C3=A4lan_av_avvikelse?=", "Anmälan av avvikelse"},
		{"=?UTF-8?q?Anm=C3=A4lan?= =?UTF-8?q?_av_avvikelse?=", "Anmälan av avvikelse"},
		{"=?iso-8859-1?B?RnLlbnZhcm8=?=", "Frånvaro"},
		{"=?ISO-8859-1?Q?Fr=E5nvaro_=96_tillbaka_m=E5ndag?=", "Frånvaro – tillbaka måndag"},
		{"=?windows-1252?Q?=93Automatiskt_svar=94?=", "“Automatiskt svar”"},
		{"=?koi8-r?B?8NLJ18XU?=", "Привет"},
		{"Re: =?utf-8?b?w4RyZW5kZQ==?= LH-2026-0042", "Re: Ärende LH-2026-0042"},
		// Raw 8-bit headers: UTF-8, or Windows-1252 when not valid UTF-8.
		{"Fr\xe5nvaro", "Frånvaro"},
		{"Frånvaro", "Frånvaro"},
		{"\xe5\xff", "åÿ"},
		// Raw 8-bit text beside encoded-words: each read on its own.
		{"SV: Fr\xe5nvaro =?utf-8?Q?=C3=84rende?=", "SV: Frånvaro Ärende"},
		{"=?iso-8859-1?Q?Fr=E5nvaro?= \xff", "Frånvaro ÿ"},
		// Latin-1 bytes in a word labelled UTF-8.
		{"=?utf-8?Q?G=F6teborg?=", "Göteborg"},
		{"=?UTF-8?B?R/Z0ZWJvcmc=?=", "Göteborg"},
		{"=?us-ascii?Q?=93citat=94?=", "“citat”"},
		{"=?iso-8859-1*sv?Q?Fr=E5nvaro_=96_FK?=", "Frånvaro – FK"},
		// An unknown charset in a word still gives text.
		{"=?x-unknown?Q?Fr=E5nvaro?=", "Frånvaro"},
		// CR, LF and other control characters never survive.
		{"=?utf-8?Q?a=0D=0ABcc:_eve@evil.example?=", "a Bcc: eve@evil.example"},
		{"=?utf-8?B?YQ0KQmNjOiBi?=", "a Bcc: b"},
		{"a\r\n\tb", "a b"},
		{"a\rBcc: b", "a Bcc: b"},
		{"tab\there\x00\x1b[31m\x7f end", "tab here [31m end"},
		{"=?utf-8?Q?NEL=C2=85LS=E2=80=A8PS=E2=80=A9end?=", "NEL LS PS end"},
		{"  spaced   out  ", "spaced out"},
		// Malformed words are left as written.
		{"=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := DecodeHeader(tt.in); got != tt.want {
			t.Errorf("DecodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAddressList(t *testing.T) {
	tests := []struct {
		in   string
		want []Address
	}{
		{"Anna Andersson <Anna.Andersson@AF.se>", []Address{{"Anna Andersson", "anna.andersson@af.se"}}},
		{`"Andersson, Anna" <anna@af.se>, bo@fk.se`, []Address{{"Andersson, Anna", "anna@af.se"}, {"", "bo@fk.se"}}},
		{"=?utf-8?Q?=C3=85sa_=C3=96berg?= <asa@af.se>", []Address{{"Åsa Öberg", "asa@af.se"}}},
		{"=?iso-8859-1?B?xXNhINZiZXJn?= <asa@af.se>", []Address{{"Åsa Öberg", "asa@af.se"}}},
		{"=?utf-8?Q?Eve=0D=0ABcc:_x@y?= <eve@x.example>", []Address{{"Eve Bcc: x@y", "eve@x.example"}}},
		{"MAILER-DAEMON@mx.example (Mail Delivery System)", []Address{{"Mail Delivery System", "mailer-daemon@mx.example"}}},
		// What net/mail refuses is read piece by piece.
		{"B\xe5rd Nilsson <bard@kommun.example>, bad address, <ulla@region.example>",
			[]Address{{"Bård Nilsson", "bard@kommun.example"}, {"", "ulla@region.example"}}},
		// Without angle brackets, as scripts write From (issue 12; see
		// TestBareAddresses): the words before the address are its name.
		{"Anna Andersson anna@af.se", []Address{{"Anna Andersson", "anna@af.se"}}},
		// A broken address with a control character or space is dropped:
		// a lone CR would end the header line of a reply.
		{"x <a\rb@c.example>", nil},
		{"x <a\x00b@c.example>", nil},
		{"x <a b@c.example>, ok <ok@c.example>", []Address{{"ok", "ok@c.example"}}},
		{"undisclosed-recipients:;", []Address{}},
		{"", nil},
	}
	for _, tt := range tests {
		got := addressList(tt.in)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("addressList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMsgIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"<LH-2026-0042.ack@finsam.example>", []string{"LH-2026-0042.ack@finsam.example"}},
		{"  < a@b.example >  ", []string{"a@b.example"}},
		// Comments outside the brackets are ignored.
		{"<a@b.example> (Postfix)", []string{"a@b.example"}},
		{"(sent by Outlook) <a@b.example>", []string{"a@b.example"}},
		{`Anna's message of "Thu, 12 Nov 2026 10:14" <a@b.example>`, []string{"a@b.example"}},
		// Without brackets the value is taken whole.
		{"a@b.example", []string{"a@b.example"}},
		{" a@b.example\r\n", []string{"a@b.example"}},
		// Several, folded, adjacent.
		{"<a@b.example> <c@d.example>\r\n\t<e@f.example>", []string{"a@b.example", "c@d.example", "e@f.example"}},
		{"<a@b.example><c@d.example>", []string{"a@b.example", "c@d.example"}},
		{"<a@b.example>,<c@d.example>", []string{"a@b.example", "c@d.example"}},
		// Nothing usable.
		{"", nil},
		{"<>", nil},
		{"< >", nil},
		{"<a b@c.example>", nil},
		{"<a@b.example", nil},
		{"no id here", nil},
		// Bare IDs with spaces between are not split (left as written: the
		// value is "taken whole"); a bracketed ID is found whatever else.
		{"a@b.example c@d.example", nil},
		{"a@b.example <c@d.example>", []string{"c@d.example"}},
	}
	for _, tt := range tests {
		got := MsgIDs(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MsgIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseThreadingHeaders(t *testing.T) {
	m := mustParse(t, msg(`
From: anna@af.se
Subject: Re: [LH-2026-0042] Mottagen
Message-ID: <reply.1@af.se> (added by relay)
In-Reply-To: <LH-2026-0042.ack@finsam.example> (Lex Heller's message of Thu, 12 Nov 2026)
References: <LH-2026-0042@finsam.example>
 <LH-2026-0042.ack@finsam.example>
References: <second.header@finsam.example>
`, "Tack!\r\n"), nil)
	if got, want := m.MessageID, "reply.1@af.se"; got != want {
		t.Errorf("MessageID = %q, want %q", got, want)
	}
	if got, want := m.InReplyTo, []string{"LH-2026-0042.ack@finsam.example"}; !reflect.DeepEqual(got, want) {
		t.Errorf("InReplyTo = %q, want %q", got, want)
	}
	if got, want := m.References, []string{"LH-2026-0042@finsam.example", "LH-2026-0042.ack@finsam.example", "second.header@finsam.example"}; !reflect.DeepEqual(got, want) {
		t.Errorf("References = %q, want %q", got, want)
	}

	m = mustParse(t, msg(`
From: anna@af.se
Message-Id: bare.id@af.se
In-Reply-To: bare.parent@finsam.example
`, ""), nil)
	if m.MessageID != "bare.id@af.se" || !reflect.DeepEqual(m.InReplyTo, []string{"bare.parent@finsam.example"}) {
		t.Errorf("bare IDs: MessageID = %q, InReplyTo = %q", m.MessageID, m.InReplyTo)
	}
}

func TestSanitizeFilename(t *testing.T) {
	long := strings.Repeat("å", 250) + ".pdf"
	tests := []struct{ name, ct, want string }{
		{"beslut.pdf", "application/pdf", "beslut.pdf"},
		{"Beslut från FK (2).pdf", "application/pdf", "Beslut från FK (2).pdf"},
		{"../../etc/passwd", "", "passwd"},
		{`..\..\win.ini`, "", "win.ini"},
		{`C:\Users\anna\Desktop\blankett.docx`, "", "blankett.docx"},
		{"/etc/", "", "etc"},
		{"..", "application/pdf", "bilaga.pdf"},
		{".bashrc", "", "bashrc"},
		{". .hidden", "", "hidden"},
		{"...", "text/plain", "bilaga.txt"},
		{"rapport\r\n.pdf", "", "rapport__.pdf"},
		{"a\x00b\x1b\x7f.txt", "", "a_b__.txt"},
		{`what?<>:*|".txt`, "", "what_______.txt"},
		// A right-to-left override would show "faktura‮fdp.exe" as "fakturaexe.pdf".
		{"faktura\u202efdp.exe", "", "faktura_fdp.exe"},
		{"\u2066x\u2069.pdf", "", "_x_.pdf"},
		{"  blankett.txt  ", "", "blankett.txt"},
		{"", "application/pdf", "bilaga.pdf"},
		{"", "text/plain", "bilaga.txt"},
		{"", "text/html", "bilaga.html"},
		{"", "message/rfc822", "bilaga.eml"},
		{"", "", "bilaga"},
		{"", "application/x-no-such-type", "bilaga"},
		{long, "", strings.Repeat("å", 116) + ".pdf"},
		{strings.Repeat("a", 200) + ".verylongextension", "", strings.Repeat("a", 120)},
	}
	for _, tt := range tests {
		got := SanitizeFilename(tt.name, tt.ct)
		if got != tt.want {
			t.Errorf("SanitizeFilename(%q, %q) = %q, want %q", tt.name, tt.ct, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > 120 {
			t.Errorf("SanitizeFilename(%q) has %d runes, want at most 120", tt.name, n)
		}
	}
}

func TestUnflow(t *testing.T) {
	tests := []struct {
		in    string
		delsp bool
		want  string
	}{
		{"Detta är en lång \r\nrad som fortsätter.\r\nNy rad.", false, "Detta är en lång rad som fortsätter.\nNy rad."},
		{"Försäkrings \nkassan  \nsvarade.", true, "Försäkringskassan svarade."},
		{"Försäkrings \nkassan \nsvarade.", true, "Försäkringskassansvarade."},
		{"två  \nord", true, "två ord"},
		// Space-stuffing is removed.
		{" From here\n >not a quote", false, "From here\n>not a quote"},
		// Quoted lines flow within their depth (the stuffed space after the
		// quote marks goes).
		{"> citat som \n> fortsätter\n>> djupare \n>> citat", false, ">citat som fortsätter\n>>djupare citat"},
		// A change of quote depth ends the paragraph: the quote never runs
		// into the new text.
		{"Ny text \n> citat", false, "Ny text \n>citat"},
		{"> citat \nNy text", false, ">citat \nNy text"},
		// The signature separator "-- " is not a flowed line.
		{"Hälsningar \n-- \nAnna", false, "Hälsningar \n-- \nAnna"},
		{"Hej\n-- \nAnna \nAndersson", true, "Hej\n-- \nAnnaAndersson"},
		{"sista rad ", false, "sista rad "},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := unflow(tt.in, tt.delsp); got != tt.want {
			t.Errorf("unflow(%q, %v) = %q, want %q", tt.in, tt.delsp, got, tt.want)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	deep := strings.Repeat("<div>", 600) + "Namn: Anna<br>Organisation: FK" + strings.Repeat("</div>", 600)
	tests := []struct{ in, want string }{
		{"<p>Hej</p><p>Anna</p>", "Hej\nAnna"},
		{"<p>rad 1<br>rad 2<br/>rad 3</p>", "rad 1\nrad 2\nrad 3"},
		{"a&nbsp;b&nbsp;&nbsp;c &amp; d &lt;e&gt;", "a b c & d <e>"},
		{"<p>&nbsp;</p><p>Text</p><p>&nbsp;</p><p>&nbsp;</p><p>Mer</p>", "Text\nMer"},
		{"<p>Text</p><br><br><br><p>Mer</p>", "Text\n\nMer"},
		{"<html><head><title>T</title><style>p{color:red}</style></head><body><script>alert(1)</script>Kvar<!-- kommentar --></body></html>", "Kvar"},
		// Inline elements join as written.
		{"<p><b>Namn:</b> Anna</p>", "Namn: Anna"},
		{"<p>Arbets<span>förmedlingen</span> och <i>FK</i>.</p>", "Arbetsförmedlingen och FK."},
		{"voilà<b>x</b>", "voilàx"},
		{"<ul><li>FK</li><li>AF</li></ul>", "- FK\n- AF"},
		{"<dl><dt>Namn</dt><dd>Anna</dd></dl>", "Namn\nAnna"},
		{"<pre>  a\n    b</pre>", "a\n    b"},
		// Outlook's two-column blanket: label | value becomes "label: value".
		{"<table><tr><td><b>Namn</b></td><td>Anna&nbsp;Andersson</td></tr><tr><td>Organisation</td><td>FK</td></tr></table>",
			"Namn: Anna Andersson\nOrganisation: FK"},
		{"<table><tr><td><p>Namn:<o:p></o:p></p></td><td><p>Anna</p></td></tr></table>", "Namn: Anna"},
		{"<table><tr><td>Vad hände?</td><td><p>Rad 1</p><p>Rad 2</p></td></tr></table>", "Vad hände?: Rad 1\nRad 2"},
		{"<table><tr><td>Nivå</td><td>&nbsp;</td></tr></table>", "Nivå"},
		{"<table><tr><th>a</th><th>b</th><th>c</th></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>", "a b c\n1 2 3"},
		{"<table><tr><td>" + strings.Repeat("x", 61) + "</td><td>y</td></tr></table>", strings.Repeat("x", 61) + " y"},
		{"<table><tr><td>Yttre</td><td><table><tr><td>Namn</td><td>Anna</td></tr></table></td></tr></table>", "Yttre: Namn: Anna"},
		// html.Parse refuses more than 512 open elements: the tokens are
		// still read.
		{deep, "Namn: Anna\nOrganisation: FK"},
		{strings.Repeat("<b>", 600) + "<script>x()</script>fet<br>text", "fet\ntext"},
		{"<html><head><title>T</title><style>p{}</style><body>" + strings.Repeat("<font>", 600) + "Namn: Anna<p>Org: FK", "Namn: Anna\nOrg: FK"},
		{"", ""},
		{"bara text", "bara text"},
	}
	for _, tt := range tests {
		if got := HTMLToText(tt.in); got != tt.want {
			in := tt.in
			if len(in) > 80 {
				in = in[:80] + "…"
			}
			t.Errorf("HTMLToText(%q) = %q, want %q", in, got, tt.want)
		}
	}
}

// TestParseBodies checks which text Parse finds in a message.
func TestParseBodies(t *testing.T) {
	blanket := "Namn: Åsa Öberg\r\nOrganisation: Arbetsförmedlingen\r\n"
	b64 := base64.StdEncoding.EncodeToString([]byte(blanket))
	// Stray spaces, tabs and lines broken anywhere.
	var messy strings.Builder
	for i, r := range b64 {
		messy.WriteRune(r)
		switch {
		case i%7 == 6:
			messy.WriteString(" ")
		case i%11 == 10:
			messy.WriteString("\r\n\t\r\n")
		}
	}
	tests := []struct {
		name     string
		raw      string
		want     string
		fromHTML bool
		problem  string // a substring of a Problem, or ""
	}{
		{"plain utf-8",
			msg("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n", blanket),
			"Namn: Åsa Öberg\nOrganisation: Arbetsförmedlingen\n", false, ""},
		{"no content-type, valid utf-8",
			msg("Subject: x\n", "Åsa Öberg\r\n"), "Åsa Öberg\n", false, ""},
		{"no charset, latin-1 bytes",
			msg("Content-Type: text/plain\n", "\xc5sa \xd6berg"), "Åsa Öberg", false, ""},
		{"iso-8859-15",
			msg("Content-Type: text/plain; charset=iso-8859-15\n", "100 \xa4"), "100 €", false, ""},
		{"koi8-r",
			msg("Content-Type: text/plain; charset=\"KOI8-R\"\n", "\xf0\xd2\xc9\xd7\xc5\xd4"), "Привет", false, ""},
		{"shift_jis",
			msg("Content-Type: text/plain; charset=shift_jis\n", "\x93\xfa\x96\x7b"), "日本", false, ""},
		{"iso-8859-1 label is Windows-1252",
			msg("Content-Type: text/plain; charset=iso-8859-1\n", "2026\x962027, \x92t"), "2026–2027, ’t", false, ""},
		{"utf-8 label over latin-1 bytes",
			msg("Content-Type: text/plain; charset=utf-8\n", "G\xf6teborg"), "Göteborg", false, ""},
		{"unknown charset",
			msg("Content-Type: text/plain; charset=x-unknown\n", "F\xf6rs\xe4kringskassan"),
			"Försäkringskassan", false, `unknown charset "x-unknown"`},
		{"quoted-printable utf-8",
			msg("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
				"Namn: =C3=85sa =\r\n=C3=96berg\r\nF=C3=B6rslag: a =3D b, 50 =25 och =ZZ kvar\r\n"),
			"Namn: Åsa Öberg\nFörslag: a = b, 50 % och =ZZ kvar\n", false, ""},
		{"quoted-printable windows-1252",
			msg("Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: Quoted-Printable\n",
				"=93Fr=E5nvaro=94 =96 Kommunen"),
			"“Frånvaro” – Kommunen", false, ""},
		{"base64",
			msg("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n", b64+"\r\n"),
			"Namn: Åsa Öberg\nOrganisation: Arbetsförmedlingen\n", false, ""},
		{"base64 with stray spaces and broken lines",
			msg("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding:  BASE64 \n", messy.String()),
			"Namn: Åsa Öberg\nOrganisation: Arbetsförmedlingen\n", false, ""},
		{"base64 cut short",
			msg("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n", b64[:len(b64)-3]),
			"Namn: Åsa Öberg\nOrganisation: Arbetsförmedlinge", false, "partly unreadable"},
		{"format=flowed",
			msg("Content-Type: text/plain; charset=utf-8; format=flowed\n",
				"Personen har varit sjukskriven sedan i mars och \r\nfick inget besked.\r\n\r\n-- \r\nAnna Andersson\r\n"),
			"Personen har varit sjukskriven sedan i mars och fick inget besked.\n\n-- \nAnna Andersson\n", false, ""},
		{"format=flowed delsp=yes",
			msg("Content-Type: text/plain; charset=utf-8; format=Flowed; DelSp=Yes\n",
				"Försäkrings \r\nkassan har  \r\nsvarat.\r\n"),
			"Försäkringskassan har svarat.\n", false, ""},
		{"format=flowed reply keeps the quote apart",
			msg("Content-Type: text/plain; charset=utf-8; format=flowed\n",
				"Ja, det st\xc3\xa4mmer. \r\n> Kan du bekr\xc3\xa4fta \r\n> detta?\r\n"),
			"Ja, det stämmer. \n>Kan du bekräfta detta?\n", false, ""},
		{"signature line kept in a fixed body",
			msg("Content-Type: text/plain\n", "Text\r\n-- \r\nAnna\r\n"), "Text\n-- \nAnna\n", false, ""},
		{"html only",
			msg("Content-Type: text/html; charset=utf-8\n",
				"<html><head><style>td{}</style><script>var x;</script></head><body><p>Hej</p>"+
					"<table><tr><td><b>Namn</b></td><td>Anna&nbsp;Andersson</td></tr>"+
					"<tr><td>Organisation:</td><td>FK</td></tr></table><p>rad<br>rad</p></body></html>"),
			"Hej\nNamn: Anna Andersson\nOrganisation: FK\nrad\nrad", true, ""},
		{"html too deeply nested",
			msg("Content-Type: text/html\n", strings.Repeat("<div>", 1000)+"Namn: Anna"),
			"Namn: Anna", true, "nested too deeply"},
		{"alternative prefers plain",
			msg("Content-Type: multipart/alternative; boundary=b\n",
				"--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b--\r\n"),
			"plain", false, ""},
		{"alternative with empty plain uses html",
			msg("Content-Type: multipart/alternative; boundary=b\n",
				"--b\r\nContent-Type: text/plain\r\n\r\n \r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b--\r\n"),
			"html", true, ""},
		{"txt attachment when the body is empty",
			msg("Content-Type: multipart/mixed; boundary=b\n",
				"--b\r\nContent-Type: text/plain\r\n\r\n\r\n--b\r\n"+
					"Content-Type: text/plain; charset=iso-8859-1; name=blankett.txt\r\n"+
					"Content-Disposition: attachment; filename=blankett.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
					base64.StdEncoding.EncodeToString([]byte("Namn: \xc5sa\r\n"))+"\r\n--b--\r\n"),
			"Namn: Åsa\n", false, ""},
		{"txt attachment from Notepad with a BOM",
			msg("Content-Type: multipart/mixed; boundary=b\n",
				"--b\r\nContent-Type: text/plain; name=blankett.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
					base64.StdEncoding.EncodeToString([]byte("\xef\xbb\xbfNamn: Åsa\r\n"))+"\r\n--b--\r\n"),
			"Namn: Åsa\n", false, ""},
		{"txt attachment not used when there is a body",
			msg("Content-Type: multipart/mixed; boundary=b\n",
				"--b\r\nContent-Type: text/plain\r\n\r\nSe bilagan.\r\n--b\r\n"+
					"Content-Type: text/plain; name=blankett.txt\r\n\r\nNamn: Åsa\r\n--b--\r\n"),
			"Se bilagan.", false, ""},
		{"two inline text parts are joined",
			msg("Content-Type: multipart/mixed; boundary=b\n",
				"--b\r\nContent-Type: text/plain\r\n\r\nDel ett\r\n--b\r\nContent-Type: image/png\r\n\r\nPNG\r\n"+
					"--b\r\nContent-Type: text/plain\r\n\r\nDel två\r\n--b--\r\n"),
			"Del ett\nDel två", false, ""},
		{"CR only line ends",
			msg("Content-Type: text/plain\n", "a\rb\r\nc"), "a\nb\nc", false, ""},
		{"no-break spaces",
			msg("Content-Type: text/plain; charset=utf-8\n", "Namn:\u00a0Anna"), "Namn: Anna", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.raw, nil)
			if m.Text != tt.want {
				t.Errorf("Parse(%s).Text = %q, want %q", tt.name, m.Text, tt.want)
			}
			if m.FromHTML != tt.fromHTML {
				t.Errorf("Parse(%s).FromHTML = %v, want %v", tt.name, m.FromHTML, tt.fromHTML)
			}
			if tt.problem == "" && len(m.Problems) > 0 {
				t.Errorf("Parse(%s).Problems = %q, want none", tt.name, m.Problems)
			}
			if tt.problem != "" && problem(m, tt.problem) == "" {
				t.Errorf("Parse(%s).Problems = %q, want one containing %q", tt.name, m.Problems, tt.problem)
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	raw := msg(`
From: =?utf-8?Q?=C3=85sa_=C3=96berg?=
 <Asa.Oberg@Arbetsformedlingen.se>
Sender: =?iso-8859-1?B?S2Fuc2xpZXQgR/Z0ZWJvcmc=?= <kansli@af.se>
Reply-To: a@af.se, "B" <b@af.se>
To: lexheller@finsam.example
Cc: "Kommunen" <k@kommun.example>
Cc: r@region.example
Delivered-To: lexheller@finsam.example
X-Original-To: lexheller+goteborg@finsam.example
Envelope-To: <lexheller@finsam.example>
Subject: =?iso-8859-1?B?RnLlbnZhcm86IA==?= =?utf-8?Q?Anm=C3=A4lan=0D=0ABcc:_eve@evil.example?=
Date: Thu, 12 Nov 2026 10:14:00 +0100
`, "")
	m := mustParse(t, raw, nil)
	checks := []struct {
		field string
		got   any
		want  any
	}{
		{"From", m.From, Address{"Åsa Öberg", "asa.oberg@arbetsformedlingen.se"}},
		{"Sender", m.Sender, Address{"Kansliet Göteborg", "kansli@af.se"}},
		{"ReplyTo", m.ReplyTo, []Address{{"", "a@af.se"}, {"B", "b@af.se"}}},
		{"To", m.To, []Address{{"", "lexheller@finsam.example"}}},
		{"Cc", m.Cc, []Address{{"Kommunen", "k@kommun.example"}, {"", "r@region.example"}}},
		{"DeliveredTo", m.DeliveredTo, []string{"lexheller@finsam.example", "lexheller+goteborg@finsam.example", "lexheller@finsam.example"}},
		{"Subject", m.Subject, "Frånvaro: Anmälan Bcc: eve@evil.example"},
		{"Date", m.Date.UTC().Format(time.RFC3339), "2026-11-12T09:14:00Z"},
		{"MediaType", m.MediaType, "text/plain"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("Parse(...).%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if got := m.From.String(); got != `=?utf-8?q?=C3=85sa_=C3=96berg?= <asa.oberg@arbetsformedlingen.se>` {
		t.Errorf("From.String() = %q", got)
	}

	// Invalid UTF-8 and control characters in headers.
	m = mustParse(t, msg("From: \"Eve\xff\x01\" <eve@x.example>\nSubject: Fr\xe5nvaro\x00 \xff\n", ""), nil)
	if m.Subject != "Frånvaro ÿ" {
		t.Errorf("Subject = %q, want %q", m.Subject, "Frånvaro ÿ")
	}
	if m.From.Address != "eve@x.example" || !utf8.ValidString(m.From.Name) || strings.ContainsFunc(m.From.Name, isCtl) {
		t.Errorf("From = %q", m.From)
	}
}

func isCtl(r rune) bool { return r < 0x20 || r == 0x7f }

func TestParseReports(t *testing.T) {
	const headers = "Message-ID: <LH-2026-0042.ack@finsam.example>\r\nFrom: lexheller@finsam.example\r\nSubject: [LH-2026-0042] Mottagen\r\n"
	report := func(ct, cte, returned string) string {
		part := "Content-Type: " + ct + "\r\n"
		if cte != "" {
			part += "Content-Transfer-Encoding: " + cte + "\r\n"
		}
		return msg(`
From: MAILER-DAEMON@mx.example
Content-Type: multipart/report; report-type=delivery-status; boundary="R"
`, "--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"+
			"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nAction: failed\r\n"+
			"--R\r\n"+part+"\r\n"+returned+"\r\n--R--\r\n")
	}
	want := []string{"LH-2026-0042.ack@finsam.example"}
	tests := []struct {
		name string
		raw  string
		want []string
	}{
		{"text/rfc822-headers", report("text/rfc822-headers", "", headers), want},
		{"message/rfc822", report("message/rfc822", "7bit", headers+"\r\nThe body.\r\n"), want},
		{"message/global-headers", report("message/global-headers", "", headers), want},
		{"base64 headers", report("text/rfc822-headers", "base64", base64.StdEncoding.EncodeToString([]byte(headers))), want},
		{"no returned header", report("text/rfc822-headers", "", ""), nil},
	}
	for _, tt := range tests {
		m := mustParse(t, tt.raw, nil)
		if m.MediaType != "multipart/report" || m.ReportType != "delivery-status" {
			t.Errorf("%s: MediaType, ReportType = %q, %q", tt.name, m.MediaType, m.ReportType)
		}
		if !reflect.DeepEqual(m.ReportedMessageIDs, tt.want) {
			t.Errorf("%s: ReportedMessageIDs = %q, want %q", tt.name, m.ReportedMessageIDs, tt.want)
		}
		if m.Text != "Delivery failed." {
			t.Errorf("%s: Text = %q", tt.name, m.Text)
		}
	}

	// A forwarded message in an ordinary mail is an attachment, not a report.
	m := mustParse(t, msg("Content-Type: multipart/mixed; boundary=M\n",
		"--M\r\nContent-Type: text/plain\r\n\r\nVidarebefordrar.\r\n--M\r\nContent-Type: message/rfc822\r\n\r\n"+headers+"\r\nBody\r\n--M--\r\n"), nil)
	if len(m.ReportedMessageIDs) != 0 || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "message/rfc822" ||
		m.Attachments[0].Filename != "bilaga.eml" {
		t.Errorf("forwarded message: ReportedMessageIDs = %q, Attachments = %+v", m.ReportedMessageIDs, m.Attachments)
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestParseAttachments(t *testing.T) {
	pdf := bytes.Repeat([]byte("%PDF-1.4 beslut "), 1000) // 16000 bytes
	part := func(header string, content []byte) string {
		return "--b\r\n" + strings.ReplaceAll(header, "\n", "\r\n") + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString(content) + "\r\n"
	}
	raw := msg("Content-Type: multipart/mixed; boundary=b\n",
		"--b\r\nContent-Type: text/plain\r\n\r\nSe bilagor.\r\n"+
			part("Content-Type: application/pdf; name=\"../../etc/passwd\"", pdf)+
			part("Content-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"..\\\\..\\\\win.ini\"", []byte("[x]"))+
			part("Content-Type: application/pdf\nContent-Disposition: attachment; filename*=utf-8''Beslut%20fr%C3%A5n%20FK%0D%0A.pdf", pdf[:100])+
			part("Content-Type: image/png\nContent-Disposition: inline", []byte("\x89PNG"))+
			part("Content-Type: application/pdf; name=\"=?utf-8?q?"+strings.Repeat("x", 250)+".pdf?=\"", nil)+
			"--b--\r\n")
	m := mustParse(t, raw, nil)
	want := []struct {
		name, ct string
		content  []byte
	}{
		{"passwd", "application/pdf", pdf},
		{"win.ini", "application/octet-stream", []byte("[x]")},
		{"Beslut från FK .pdf", "application/pdf", pdf[:100]},
		{"bilaga.png", "image/png", []byte("\x89PNG")},
		{strings.Repeat("x", 116) + ".pdf", "application/pdf", []byte{}},
	}
	if len(m.Attachments) != len(want) {
		t.Fatalf("Attachments = %d, want %d: %+v", len(m.Attachments), len(want), m.Attachments)
	}
	for i, w := range want {
		a := m.Attachments[i]
		if a.Filename != w.name || a.ContentType != w.ct {
			t.Errorf("attachment %d = %q (%s), want %q (%s)", i, a.Filename, a.ContentType, w.name, w.ct)
		}
		if a.Size != int64(len(w.content)) || a.SHA256 != sum(w.content) || !bytes.Equal(a.Content, w.content) || a.Dropped != "" {
			t.Errorf("attachment %d %q: Size %d, SHA256 %s, %d bytes kept, Dropped %q; want Size %d, SHA256 %s, all kept",
				i, a.Filename, a.Size, a.SHA256, len(a.Content), a.Dropped, len(w.content), sum(w.content))
		}
		if a.Content == nil {
			t.Errorf("attachment %d %q: Content nil, want kept", i, a.Filename)
		}
	}
	if m.Text != "Se bilagor." || len(m.Problems) != 0 {
		t.Errorf("Text = %q, Problems = %q", m.Text, m.Problems)
	}

	// Larger than MaxAttachmentBytes: recorded without content. The
	// budget is per message: after 16003 bytes, the third attachment (100
	// bytes) no longer fits.
	m = mustParse(t, raw, &Options{MaxAttachmentBytes: 16050})
	if a := m.Attachments[0]; a.Content == nil || a.Dropped != "" {
		t.Errorf("first attachment (fits): Content %d bytes, Dropped %q", len(a.Content), a.Dropped)
	}
	if a := m.Attachments[2]; a.Content != nil || a.Dropped == "" || a.Size != 100 || a.SHA256 != sum(pdf[:100]) {
		t.Errorf("third attachment over the budget: Content %d bytes, Dropped %q, Size %d, SHA256 %s",
			len(a.Content), a.Dropped, a.Size, a.SHA256)
	}
	m = mustParse(t, raw, &Options{MaxAttachmentBytes: 1000})
	a := m.Attachments[0]
	if a.Content != nil || !strings.HasPrefix(a.Dropped, "larger than") || a.Size != int64(len(pdf)) || a.SHA256 != sum(pdf) {
		t.Errorf("dropped attachment: Content %d bytes, Dropped %q, Size %d, SHA256 %s; want nil, a reason, %d, %s",
			len(a.Content), a.Dropped, a.Size, a.SHA256, len(pdf), sum(pdf))
	}
	if problem(m, `attachment "passwd"`) == "" {
		t.Errorf("Problems = %q, want the dropped attachment named", m.Problems)
	}
}

// blanketPart is the text a hostile message carries beside its junk; it
// must still be found.
const blanketPart = "--top\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNamn: Anna Andersson\r\nVad hände?: Ingen svarade.\r\n"

func hostile(parts string) string {
	return msg("From: anna@af.se\nSubject: Avvikelse\nContent-Type: multipart/mixed; boundary=top\n", blanketPart+parts)
}

func nested(depth int) string {
	inner := "Content-Type: text/plain\r\n\r\ndjupt inne\r\n"
	for i := depth; i > 0; i-- {
		b := fmt.Sprintf("n%d", i)
		inner = "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n" + inner + "\r\n--" + b + "--\r\n"
	}
	return inner
}

func TestParseHostile(t *testing.T) {
	const text = "Namn: Anna Andersson\nVad hände?: Ingen svarade."
	var many strings.Builder
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&many, "--top\r\nContent-Type: application/octet-stream; name=p%d.bin\r\n\r\n%d\r\n", i, i)
	}
	var empty strings.Builder
	for i := 0; i < 20000; i++ {
		empty.WriteString("--top\r\n\r\n")
	}
	tests := []struct {
		name    string
		raw     string
		text    string // want Message.Text to contain this
		problem string
	}{
		{"missing boundary parameter",
			msg("Subject: x\nContent-Type: multipart/mixed\n", "Namn: Anna Andersson\r\nVad hände?: Ingen svarade.\r\n"),
			text, "without a boundary"},
		{"boundary never found",
			msg("Subject: x\nContent-Type: multipart/mixed; boundary=\"declared\"\n",
				"--used\r\nContent-Type: text/plain\r\n\r\nNamn: Anna Andersson\r\nVad hände?: Ingen svarade.\r\n--used--\r\n"),
			text, `boundary "declared" unreadable (multipart: NextPart: EOF); read as text`},
		{"first part's header broken",
			msg("Subject: x\nContent-Type: multipart/mixed; boundary=b\n",
				"--b\r\nthis is no header\r\n\r\n"+strings.Repeat("fyllnad\r\n", 1000)+"Namn: Anna Andersson\r\nVad hände?: Ingen svarade.\r\n--b--\r\n"),
			text, "read as text"},
		{"boundary with a missing closing quote",
			msg("Subject: x\nContent-Type: multipart/mixed; boundary=\"top\n", blanketPart+"--top--\r\n"),
			text, ""},
		{"boundary never closes",
			hostile("--top\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"),
			text, "partly unreadable"},
		{"boundary never closes in the text",
			hostile(""), text, "unexpected EOF"},
		{"unexpected line after a part",
			hostile("--top\r\nContent-Type: text/plain\r\n\r\nx\r\n--top--\r\ngarbage\r\n--top\r\n"), text, ""},
		{"50 nested multiparts",
			hostile("--top\r\n" + nested(50) + "\r\n--top--\r\n"), text, "nested deeper than 20 levels"},
		{"more than 500 parts",
			hostile(many.String() + "--top--\r\n"), text, "more than 500 parts"},
		{"20000 empty parts",
			hostile(empty.String() + "--top--\r\n"), text, "more than 500 parts"},
		{"unknown Content-Transfer-Encoding",
			hostile("--top\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n--top--\r\n"),
			text, `unknown Content-Transfer-Encoding "x-uuencode"`},
		{"unknown Content-Transfer-Encoding on the text",
			msg("Content-Type: text/plain\nContent-Transfer-Encoding: 9bit\n", "Namn: Anna Andersson\r\nVad hände?: Ingen svarade."),
			text, "unknown Content-Transfer-Encoding"},
		{"invalid UTF-8 in headers",
			msg("From: \xff\xfe <\xff@x.example>\nSubject: \xc3\x28\xa0\xa1\nContent-Type: text/plain; charset=\"\xff\"\n",
				"Namn: Anna Andersson\r\nVad hände?: Ingen svarade.\r\n"),
			text, "unknown charset"},
		{"invalid UTF-8 in part headers",
			hostile("--top\r\nContent-Type: application/\xff; name=\"\xff\xfe.pdf\"\r\nContent-Disposition: attachment; filename*=utf-8''%FF%FE\r\n\r\nx\r\n--top--\r\n"),
			text, ""},
		{"header broken off",
			"From: anna@af.se\r\nSubject: x\r\nthis is no header line\r\n\r\nNamn: Anna Andersson\r\n",
			"", "header broken off"},
		{"huge header value",
			msg("From: anna@af.se\nSubject: "+strings.Repeat("=?utf-8?q?x?= ", 100000)+"\n", "Namn: Anna Andersson\r\nVad hände?: Ingen svarade."),
			text, ""},
		{"long line without line end",
			msg("Content-Type: text/plain\n", "Namn: Anna Andersson\r\nVad hände?: Ingen svarade.\r\n"+strings.Repeat("x", 5<<20)),
			text, "part cut"},
		{"empty multipart",
			msg("Content-Type: multipart/mixed; boundary=b\n", "--b--\r\n"), "", "has no parts"},
		{"empty boundary",
			msg("Content-Type: multipart/mixed; boundary=\"\"\n", text), text, "without a boundary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.raw, nil)
			if !strings.Contains(m.Text, tt.text) {
				got := m.Text
				if len(got) > 200 {
					got = got[:200] + "…"
				}
				t.Errorf("Parse(%s).Text = %q, want it to contain %q", tt.name, got, tt.text)
			}
			if tt.problem != "" && problem(m, tt.problem) == "" {
				t.Errorf("Parse(%s).Problems = %q, want one containing %q", tt.name, m.Problems, tt.problem)
			}
			checkInvariants(t, m)
		})
	}
}

// checkInvariants checks what FuzzParse checks.
func checkInvariants(t *testing.T, m *Message) {
	t.Helper()
	if !utf8.ValidString(m.Text) {
		t.Errorf("Text is not valid UTF-8: %q", m.Text)
	}
	for _, s := range []string{m.Subject, m.From.Name, m.From.Address, m.Sender.Name, m.Sender.Address} {
		if strings.ContainsAny(s, "\r\n") || !utf8.ValidString(s) {
			t.Errorf("header value %q has a line break or is not valid UTF-8", s)
		}
	}
	for _, a := range m.Attachments {
		if a.Filename == "" || strings.ContainsAny(a.Filename, `/\`) || strings.HasPrefix(a.Filename, ".") ||
			strings.ContainsFunc(a.Filename, isCtl) || !utf8.ValidString(a.Filename) {
			t.Errorf("unsafe attachment name %q", a.Filename)
		}
		if a.Content != nil && int64(len(a.Content)) != a.Size {
			t.Errorf("attachment %q: %d bytes kept of %d", a.Filename, len(a.Content), a.Size)
		}
	}
	if len(m.Problems) > 50 {
		t.Errorf("%d problems, want at most 50", len(m.Problems))
	}
}

func TestParseNested(t *testing.T) {
	// Nesting up to the limit is read; deeper parts are skipped.
	m := mustParse(t, msg("Subject: x\n"+strings.SplitN(nested(19), "\r\n\r\n", 2)[0]+"\n", strings.SplitN(nested(19), "\r\n\r\n", 2)[1]), nil)
	if m.Text != "djupt inne\n" || len(m.Problems) != 0 {
		t.Errorf("19 levels: Text = %q, Problems = %q", m.Text, m.Problems)
	}
	m = mustParse(t, msg("Subject: x\n"+strings.SplitN(nested(21), "\r\n\r\n", 2)[0]+"\n", strings.SplitN(nested(21), "\r\n\r\n", 2)[1]), nil)
	if m.Text != "" || problem(m, "nested deeper") == "" {
		t.Errorf("21 levels: Text = %q, Problems = %q", m.Text, m.Problems)
	}
}

func TestParseUnreadable(t *testing.T) {
	for _, raw := range []string{
		"",
		"\r\n",
		"\r\nNamn: Anna\r\n",
		"just some text\r\nand more\r\n",
		" leading space: is a continuation of nothing\r\n\r\nbody",
		"\x00\x01\x02",
	} {
		m, err := Parse(strings.NewReader(raw), nil)
		if !errors.Is(err, ErrUnreadable) || m != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, an error wrapping ErrUnreadable", raw, m, err)
		}
	}
	// A header with nothing after it is a message.
	for _, raw := range []string{"From: anna@af.se\r\nSubject: x\r\n", "From: anna@af.se", "From: anna@af.se\r\n\r\n"} {
		m, err := Parse(strings.NewReader(raw), nil)
		if err != nil || m.From.Address != "anna@af.se" || m.Text != "" {
			t.Errorf("Parse(%q) = %+v, %v; want From anna@af.se, no text", raw, m, err)
		}
	}
}

// failingReader returns its data, then an error.
type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		err = f.err
	}
	return n, err
}

func TestParseReadError(t *testing.T) {
	raw := hostile("--top\r\nContent-Type: application/pdf\r\n\r\n%PDF")
	m, err := Parse(&failingReader{r: strings.NewReader(raw), err: errors.New("connection reset")}, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !strings.Contains(m.Text, "Namn: Anna Andersson") || problem(m, "connection reset") == "" {
		t.Errorf("Text = %q, Problems = %q", m.Text, m.Problems)
	}
}

// bigAttachment streams a message with the blanket and an attachment of n
// bytes of pattern, base64-encoded, without holding it in memory.
func bigAttachment(n int, pattern []byte) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, hostile("--top\r\nContent-Type: video/mp4; name=inspelning.mp4\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
		enc := base64.NewEncoder(base64.StdEncoding, &lineWriter{w: pw})
		for left := n; left > 0; left -= len(pattern) {
			enc.Write(pattern[:min(left, len(pattern))])
		}
		enc.Close()
		io.WriteString(pw, "\r\n--top--\r\n")
		pw.Close()
	}()
	return pr
}

// lineWriter breaks base64 into 76-character lines.
type lineWriter struct {
	w   io.Writer
	col int
}

func (l *lineWriter) Write(p []byte) (int, error) {
	for len(p) > 0 {
		k := min(76-l.col, len(p))
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		p, l.col = p[k:], l.col+k
		if l.col == 76 {
			l.w.Write([]byte("\r\n"))
			l.col = 0
		}
	}
	return len(p), nil
}

func TestParseLargeAttachment(t *testing.T) {
	if testing.Short() {
		t.Skip("30 MB attachment")
	}
	const n = 30 << 20
	pattern := make([]byte, 57*1024)
	for i := range pattern {
		pattern[i] = byte(i * 7)
	}
	h := sha256.New()
	for left := n; left > 0; left -= len(pattern) {
		h.Write(pattern[:min(left, len(pattern))])
	}
	wantSum := hex.EncodeToString(h.Sum(nil))

	r := bigAttachment(n, pattern)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := Parse(r, nil)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("Attachments = %+v", m.Attachments)
	}
	a := m.Attachments[0]
	if a.Size != n || a.SHA256 != wantSum || a.Content != nil || a.Dropped == "" {
		t.Errorf("attachment: Size %d, SHA256 %s, %d bytes kept, Dropped %q; want Size %d, SHA256 %s, nil, a reason",
			a.Size, a.SHA256, len(a.Content), a.Dropped, n, wantSum)
	}
	if !strings.Contains(m.Text, "Namn: Anna Andersson") || problem(m, "not kept") == "" {
		t.Errorf("Text = %q, Problems = %q", m.Text, m.Problems)
	}
	// Up to 25 MB are buffered before the attachment is known to be too
	// large; allocating more than a few times that would be absurd.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d MB for a %d MB attachment", alloc>>20, n>>20)
	if alloc > 200<<20 {
		t.Errorf("allocated %d MB for a %d MB attachment", alloc>>20, n>>20)
	}
}

func TestParseZipBomb(t *testing.T) {
	// A zip in a zip holding 64 MB of zeros: a few hundred kilobytes that
	// would explode if anything unpacked it. Parse never does.
	var inner bytes.Buffer
	zw := zip.NewWriter(&inner)
	f, _ := zw.Create("zeros.bin")
	zeros := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		f.Write(zeros)
	}
	zw.Close()
	var outer bytes.Buffer
	zw = zip.NewWriter(&outer)
	for i := 0; i < 4; i++ {
		f, _ = zw.Create(fmt.Sprintf("inner%d.zip", i))
		f.Write(inner.Bytes())
	}
	zw.Close()
	bomb := outer.Bytes()

	m := mustParse(t, hostile("--top\r\nContent-Type: application/zip; name=bilagor.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
		base64.StdEncoding.EncodeToString(bomb)+"\r\n--top--\r\n"), nil)
	if len(m.Attachments) != 1 {
		t.Fatalf("Attachments = %+v", m.Attachments)
	}
	a := m.Attachments[0]
	if a.Filename != "bilagor.zip" || a.ContentType != "application/zip" || a.Size != int64(len(bomb)) ||
		!bytes.Equal(a.Content, bomb) || a.SHA256 != sum(bomb) || a.Dropped != "" {
		t.Errorf("zip attachment = %q %s, Size %d, %d bytes kept, Dropped %q; want it kept whole (%d bytes)",
			a.Filename, a.ContentType, a.Size, len(a.Content), a.Dropped, len(bomb))
	}
	if !strings.Contains(m.Text, "Namn: Anna Andersson") {
		t.Errorf("Text = %q", m.Text)
	}
}

// golden is the JSON form of a Message in testdata/*.golden: everything but
// the raw header and the attachments' content.
type golden struct {
	From               Address
	Sender             Address
	ReplyTo            []Address
	To                 []Address
	Cc                 []Address
	DeliveredTo        []string
	Subject            string
	MessageID          string
	InReplyTo          []string
	References         []string
	Date               string
	MediaType          string
	ReportType         string
	ReportedMessageIDs []string
	Text               string
	FromHTML           bool
	Attachments        []goldenAttachment
	Problems           []string
	Fault              string `json:",omitempty"`
}

type goldenAttachment struct {
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	Kept        bool
	Dropped     string
}

func toGolden(m *Message) golden {
	g := golden{From: m.From, Sender: m.Sender, ReplyTo: m.ReplyTo, To: m.To, Cc: m.Cc, DeliveredTo: m.DeliveredTo,
		Subject: m.Subject, MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References,
		MediaType: m.MediaType, ReportType: m.ReportType, ReportedMessageIDs: m.ReportedMessageIDs,
		Text: m.Text, FromHTML: m.FromHTML, Problems: m.Problems}
	if !m.Date.IsZero() {
		g.Date = m.Date.Format(time.RFC3339)
	}
	if m.Fault != nil {
		g.Fault = m.Fault.Error()
	}
	for _, a := range m.Attachments {
		g.Attachments = append(g.Attachments, goldenAttachment{a.Filename, a.ContentType, a.Size, a.SHA256, a.Content != nil, a.Dropped})
	}
	return g
}

// TestGolden parses testdata/*.eml and compares with testdata/*.golden;
// go test -run TestGolden -update rewrites the golden files, which must
// then be read through before they are kept.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.eml: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(bytes.NewReader(raw), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkInvariants(t, m)
			got, err := json.MarshalIndent(toGolden(m), "", "\t")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			gf := strings.TrimSuffix(file, ".eml") + ".golden"
			if *update {
				if err := os.WriteFile(gf, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gf)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Parse(%s) =\n%s\nwant (%s)\n%s", file, got, gf, want)
			}
		})
	}
}

// With a directory to spill to, a large attachment waits in a file, not
// in memory; a small one stays in memory.
func TestAttachmentSpill(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 200000) // 3.2 MB
	raw := "From: a@b.example\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nHej\r\n" +
		"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(big) + "\r\n--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=small.pdf\r\n\r\nsmall\r\n--B--\r\n"
	dir := t.TempDir()
	m, err := Parse(strings.NewReader(raw), &Options{SpillDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 2 {
		t.Fatalf("%d attachments", len(m.Attachments))
	}
	a, b := m.Attachments[0], m.Attachments[1]
	if a.Content != nil || a.File == "" || !a.Kept() || a.Size != int64(len(big)) {
		t.Fatalf("big: %+v", a)
	}
	got, err := os.ReadFile(a.File)
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("the spilled file differs (%v)", err)
	}
	if b.File != "" || string(b.Content) != "small" {
		t.Errorf("small: %+v", b)
	}
	m.RemoveFiles()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
	// Over the limit: not kept, no file left behind.
	m, _ = Parse(strings.NewReader(raw), &Options{SpillDir: dir, MaxAttachmentBytes: 2 << 20})
	if m.Attachments[0].Kept() || m.Attachments[0].Dropped == "" {
		t.Errorf("over the limit: %+v", m.Attachments[0])
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left after a dropped attachment: %v", left)
	}
}

// A personnummer in a file name is masked before the characters that
// separate its groups are replaced.
func TestSanitizeFilenameMasksFirst(t *testing.T) {
	for _, name := range []string{"beslut 19961021<br>9595.txt", "intyg 961021/9595.pdf", `c:\\tmp\\19961021\\9595.pdf`} {
		got := SanitizeFilename(name, "application/pdf")
		if strings.Contains(got, "9595") && strings.Contains(got, "961021") {
			t.Errorf("SanitizeFilename(%q) = %q", name, got)
		}
	}
}
