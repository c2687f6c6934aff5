package parse

// Tests of what .ci/decodebench found lexheller reading wrong in other
// projects' test mails (issue 12). Each mail in testdata is written the
// way the named sending software writes it.

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// From without angle brackets, as scripts write it.
func TestBareAddresses(t *testing.T) {
	m := parseFile(t, "header-from-two-bare-addresses.eml")
	if m.From != (Address{"", "registrator@kommun.example"}) || len(m.ReplyTo) != 2 {
		t.Errorf("two bare addresses: From %+v, ReplyTo %+v; want the first, and both", m.From, m.ReplyTo)
	}
	wantText(t, "header-from-two-bare-addresses.eml", m, "Organisation: Göteborgs Stad, ekonomiskt bistånd")

	m = parseFile(t, "header-from-name-without-brackets.eml")
	if m.From != (Address{"Anna Andersson", "anna.andersson@arbetsformedlingen.se"}) || m.Subject != "Anmälan av avvikelse" {
		t.Errorf("name and bare address: From %+v, Subject %q", m.From, m.Subject)
	}

	tests := []struct {
		in   string
		want []Address
	}{
		{"tim@svn.example concierge@svn.example", []Address{{"", "tim@svn.example"}, {"", "concierge@svn.example"}}},
		{"Big Bug bb@bug.example", []Address{{"Big Bug", "bb@bug.example"}}},
		{`"Bo Berg" Bo.Berg@Kommun.example`, []Address{{"Bo Berg", "bo.berg@kommun.example"}}},
		{"=?utf-8?Q?=C3=85sa?= asa@af.se", []Address{{"Åsa", "asa@af.se"}}},
		{"Anna Andersson <anna@af.se", []Address{{"Anna Andersson", "anna@af.se"}}},
		{"Anna Andersson, anna@af.se", []Address{{"", "anna@af.se"}}},
		{"no address here", nil},
	}
	for _, tt := range tests {
		if got := addressList(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("addressList(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// The message's first header field indented.
func TestIndentedFirstField(t *testing.T) {
	m := parseFile(t, "header-first-line-indented.eml")
	if m.From.Address != "cecilia.dahl@region.example" || m.Subject != "Avvikelse" || problem(m, "is indented") == "" {
		t.Errorf("From %q, Subject %q, Problems %q", m.From.Address, m.Subject, m.Problems)
	}
	wantText(t, "header-first-line-indented.eml", m, "Organisation: Vårdcentralen Angered")
	// An indented first line that is no known field is still skipped.
	m = mustParse(t, "  Namn: Anna\r\nFrom: anna@af.se\r\n\r\nText", nil)
	if m.Header.Has("Namn") || m.From.Address != "anna@af.se" {
		t.Errorf("indented unknown field: Header %v, From %q", m.Header, m.From.Address)
	}
}

// A text part declared base64 that is plain text.
func TestBase64PlainText(t *testing.T) {
	m := parseFile(t, "base64-declared-plain-text.eml")
	wantText(t, "base64-declared-plain-text.eml", m, "Namn: Erik Fors\nOrganisation: Försäkringskassan\n")
	if problem(m, "declared base64 is plain text") == "" {
		t.Errorf("Problems = %q", m.Problems)
	}
	// Base64 with stray white space, or with a stray character, is still
	// decoded (TestParseBodies has the messier cases).
	for _, body := range []string{"TmFtbjogQW5u YQ0KT3JnYW5p c2F0aW9uOiBB Rg0KQmVyw7Zy ZGEgcGFydGVy OiBGSw0K\r\n", "TmFtbjogQW5uYQ0KT3JnYW5p.c2F0aW9uOiBBRg0KQmVyw7ZyZGEgcGFydGVyOiBGSw0K\r\n"} {
		m := mustParse(t, msg("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n", body), nil)
		if !strings.HasPrefix(m.Text, "Namn: Anna\nOrganisation: AF\n") {
			t.Errorf("base64 %q: Text %q", body, m.Text)
		}
	}
}

// Chinese, Japanese and Korean text without a charset label.
func TestUnlabelledCJK(t *testing.T) {
	m := parseFile(t, "big5-labelled-us-ascii.eml")
	wantText(t, "big5-labelled-us-ascii.eml", m, "關於本月的會議時間，我們決定改在星期三下午兩點舉行。", "王小明")

	tests := []struct {
		enc  encoding.Encoding
		text string
	}{
		{simplifiedchinese.GBK, "提示：您的企业成员暂时无法登录邮件客户端，请联系管理员。"},
		{japanese.ShiftJIS, "報告書についてご確認ください。よろしくお願いします。"},
		{japanese.EUCJP, "東京都千代田区丸の内一丁目　株式会社山田商事　営業部長様"},
		{korean.EUCKR, "안녕하세요. 보고서를 확인해 주세요. 감사합니다."},
	}
	for _, tt := range tests {
		b, err := tt.enc.NewEncoder().Bytes([]byte(tt.text))
		if err != nil {
			t.Fatal(err)
		}
		for _, cs := range []string{"", "us-ascii", "x-no-such-charset"} {
			if got := DecodeText(b, cs); got != tt.text {
				t.Errorf("DecodeText(%s bytes, %q) = %q, want %q", tt.enc, cs, got, tt.text)
			}
		}
	}
	// Western text stays Windows-1252, even where every 8-bit byte is
	// followed by a letter (valid Big5 and GBK), and a Latin-1 label is
	// never second-guessed.
	for _, s := range []string{"Hälsningar från Göteborg", "Försäkringskassan Arbetsförmedlingen Växjö Åsa Öberg",
		"ÅÄÖåäöÅÄÖåäöÅÄÖåäöÅÄÖåäö", "Grüße Größe Übermäßig Äußerung", "«Ça été là où ôté» – éèêëàâäôöûüç"} {
		b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		if got := DecodeText(b, ""); got != s {
			t.Errorf("DecodeText(%q in Windows-1252) = %q", s, got)
		}
	}
	b, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("关于合作的问题，请回复。"))
	if got := DecodeText(b, "iso-8859-1"); strings.Contains(got, "关于") {
		t.Errorf("DecodeText(GBK labelled iso-8859-1) = %q, want Windows-1252", got)
	}
}

// A Content-Type with junk after the type.
func TestLenientContentType(t *testing.T) {
	m := parseFile(t, "content-type-junk-after-type.eml")
	wantText(t, "content-type-junk-after-type.eml", m, "Namn: Dan Ek", "Berörda parter: Försäkringskassan")
	if !m.FromHTML || m.MediaType != "text/html" {
		t.Errorf("FromHTML %v, MediaType %q; want text/html", m.FromHTML, m.MediaType)
	}
	m = parseFile(t, "content-type-stray-bracket.eml")
	wantText(t, "content-type-stray-bracket.eml", m, "Namn: Bo Berg\nOrganisation: Socialtjänsten Angered\n")

	tests := []struct{ in, mt, boundary string }{
		{"text/plain>", "text/plain", ""},
		{`Text/HTML Content-Transfer-Encoding: 8bit\r\n`, "text/html", ""},
		{`multipart/mixed; boundary="abc`, "multipart/mixed", "abc"},
		{"  image/png garbage; name=x.png", "image/png", ""},
		{"garbage", "text/plain", ""},
		{"", "text/plain", ""},
	}
	for _, tt := range tests {
		if mt, params := parseMediaType(tt.in); mt != tt.mt || params["boundary"] != tt.boundary {
			t.Errorf("parseMediaType(%q) = %q, %q; want %q, boundary %q", tt.in, mt, params, tt.mt, tt.boundary)
		}
	}
}

// A multipart whose header is not ended by a blank line.
func TestMultipartHeaderWithoutBlankLine(t *testing.T) {
	m := parseFile(t, "multipart-header-no-blank-line.eml")
	if m.Text != "Namn: Cecilia Dahl\nOrganisation: Vårdcentralen Angered\nBerörda parter: Region, FK\n" {
		t.Errorf("Text = %q, want the plain part", m.Text)
	}
	if len(m.Header.Values("Content-Type")) != 1 || m.MediaType != "multipart/alternative" || m.Subject != "Anmälan av avvikelse" {
		t.Errorf("Header Content-Type %q, MediaType %q, Subject %q", m.Header.Values("Content-Type"), m.MediaType, m.Subject)
	}
	// The boundary line right after the header, without a preamble.
	m = mustParse(t, "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n--b\r\nContent-Type: text/plain\r\n\r\nNamn: Anna\r\n--b--\r\n", nil)
	if m.Text != "Namn: Anna" || len(m.Header.Values("Content-Type")) != 1 {
		t.Errorf("no preamble: Text %q, Content-Type %q", m.Text, m.Header.Values("Content-Type"))
	}
}

// A UTF-8 line with a three-byte character and a stray byte.
func TestUTF8LineWithCutCharacter(t *testing.T) {
	m := parseFile(t, "utf8-qp-cut-character.eml")
	wantText(t, "utf8-qp-cut-character.eml", m, "Rubrik: Beslut saknas – FK svarar inte trots flera samtal, se bifogatâ\n", "Berörda parter: FK")
	tests := []struct{ in, cs, want string }{
		{"Valid: \xe6\x98\xaf Invalid: \xe6", "utf-8", "Valid: 是 Invalid: æ"},
		{"Beslut \xe2\x80\x93 \xe2", "", "Beslut – â"},
		// A Latin-1 line with a valid two-byte pair stays Latin-1.
		{"\xc4\x96 och \xe5", "", "Ä– och å"},
	}
	for _, tt := range tests {
		if got := DecodeText([]byte(tt.in), tt.cs); got != tt.want {
			t.Errorf("DecodeText(%q, %q) = %q, want %q", tt.in, tt.cs, got, tt.want)
		}
	}
}

// C1 control characters in text are Windows-1252 bytes read as Latin-1.
func TestC1Characters(t *testing.T) {
	m := parseFile(t, "html-c1-no-charset.eml")
	wantText(t, "html-c1-no-charset.eml", m, "Kostnad: 500 € per månad – ingen ersättning")
	tests := []struct{ in, cs, want string }{
		{"500 \xc2\x80", "", "500 €"},
		{"\xc2\x93citat\xc2\x94", "utf-8", "“citat”"},
		{"\xc2\x81", "", "\ufffd"},
	}
	for _, tt := range tests {
		if got := DecodeText([]byte(tt.in), tt.cs); got != tt.want {
			t.Errorf("DecodeText(%q, %q) = %q, want %q", tt.in, tt.cs, got, tt.want)
		}
	}
}

// Encoded-words that mime.WordDecoder refuses.
func TestLenientEncodedWords(t *testing.T) {
	m := parseFile(t, "subject-unknown-charset-word.eml")
	if m.Subject != "Avvikelse – brådskande" {
		t.Errorf("Subject = %q", m.Subject)
	}
	tests := []struct{ in, want string }{
		{"=?NONE?B?VEVTVA=?=", "TEST"},
		{"=?utf-8?B?w4RyZW5kZQ?= =?utf-8?B?IExILTQy?=", "Ärende LH-42"},
		{"=?utf-8?B?w4RyZW5kZQ===?=", "Ärende"},
		{"=?x-none?B?RnLlbnZhcm8=?=", "Frånvaro"},
		{"=?utf-8*sv?B?w4RyZW5kZQ?=", "Ärende"},
		{"=?utf-8?Q?100=_=C3=A4r_klart?=", "100= är klart"},
		{"=?utf-8?B?YQ0KQmNjOiBi?=", "a Bcc: b"},
		{"=?utf-8?B?YQ0KQmNjOiBi=?=", "a Bcc: b"},
	}
	for _, tt := range tests {
		if got := DecodeHeader(tt.in); got != tt.want {
			t.Errorf("DecodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
