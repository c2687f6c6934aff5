package docx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// textOf reads the docx in testdata.
func textOf(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() >= 50<<10 {
		t.Errorf("%s is %d bytes, more than the 50 kB a test file may be", name, st.Size())
	}
	s, err := Text(f, st.Size(), Limits{})
	if err != nil {
		t.Fatalf("Text(%s): %v", name, err)
	}
	return s
}

// hasLines reports the wanted lines missing from text, each a whole line;
// a wanted entry of several lines must stand so, one after the other.
func hasLines(t *testing.T, text string, want ...string) {
	t.Helper()
	padded := "\n" + text + "\n"
	for _, w := range want {
		if !strings.Contains(padded, "\n"+w+"\n") {
			t.Errorf("no line %q in:\n%s", w, text)
		}
	}
}

// The blanket of FORM.md's example, as the LibreOffice files hold it.
const (
	happened1   = "Person med aktivitetsstöd sjukskrivs. Sjukskrivningen godkänns inte av FK."
	happened2   = "AF anser att personen är sjuk och aktivitetsstödet dras in."
	consequence = "Personen har ingen ersättning och hälsan försämras."
	suggestion  = "Gemensam rutin mellan AF och FK för avstämning innan beslut."
)

// TestParagraphs reads the blanket written as "Label: value" paragraphs,
// the values of "Vad hände?" and the other free-text fields on the lines
// below their labels (LibreOffice, from paragraphs.txt).
func TestParagraphs(t *testing.T) {
	s := textOf(t, "paragraphs.docx")
	hasLines(t, s,
		"Datum för händelsen: 2026-11-12",
		"Namn: Anna Andersson",
		"Organisation: Arbetsförmedlingen Angered",
		"Telefon: 010-123 45 67",
		"Berörda parter: Försäkringskassan, Arbetsförmedlingen",
		"Nivå: Organisering",
		"Vad hände?:\n"+happened1+"\n"+happened2,
		"Konsekvens för individen:\n"+consequence,
		"Förslag på lösning:\n"+suggestion,
		"Får vi kontakta dig?: Ja",
		"Får ärendet publiceras anonymiserat?: Ja",
	)
}

// TestTable reads the blanket written as a two-column table, a value of two
// paragraphs and the parties as ballot boxes (LibreOffice, from
// table.html).
func TestTable(t *testing.T) {
	s := textOf(t, "table.docx")
	hasLines(t, s,
		"LEX HELLER – ANMÄLAN AV AVVIKELSE I SAMVERKAN",
		"Datum för händelsen: 2026-11-12",
		"Namn: Anna Andersson",
		"E-post: anna.andersson@arbetsformedlingen.se",
		"Organisation: Arbetsförmedlingen Angered",
		"Telefon: 010-123 45 67",
		"Berörda parter: [x] Försäkringskassan [ ] Arbetsförmedlingen [x] Kommun",
		"Nivå: Organisering",
		"Vad hände? "+happened1+"\n"+happened2,
		"Konsekvens för individen: "+consequence,
		"Förslag på lösning: "+suggestion,
		"Får vi kontakta dig? Ja",
		"Får ärendet publiceras anonymiserat? Nej",
		"Med vänlig hälsning",
	)
}

// TestBlankFilled reads the blank blanket written by Blank, filled in and
// written again by LibreOffice, which keeps the content controls' aliases
// but not their tags or placeholder flags, and moves the line break of
// "Vad hände?" out of its control, before it.
func TestBlankFilled(t *testing.T) {
	s := textOf(t, "blank-filled.docx")
	hasLines(t, s,
		"Datum för händelsen: 2026-11-12",
		"Ditt namn: Anna Andersson",
		"E-post: anna.andersson@arbetsformedlingen.se",
		"Telefon: 010-123 45 67",
		"Organisation: Arbetsförmedlingen Angered",
		"Samordningsförbund: Samordningsförbundet Göteborg Nordost",
		"Berörda parter: Försäkringskassan, Arbetsförmedlingen",
		"Nivå: Organisering",
		"Konsekvens för individen: "+consequence,
		"Förslag på lösning: "+suggestion,
		"Får vi kontakta dig? Ja",
		"Får ärendet publiceras anonymiserat? Ja",
	)
	// The description follows its label once: on the line below it, as
	// LibreOffice 7.4 writes it, or after it where the break stays put.
	_, after, ok := strings.Cut(s, "\nVad hände?")
	desc, _, _ := strings.Cut(after, "Konsekvens för individen:")
	if !ok || !strings.Contains(desc, happened1[:40]) || !strings.Contains(desc, happened2[:30]) {
		t.Errorf("no description below \"Vad hände?\" in:\n%s", s)
	}
	if n := strings.Count(s, "Vad hände?"); n != 2 { // the instructions name it once
		t.Errorf("\"Vad hände?\" %d times, want 2:\n%s", n, s)
	}
	if strings.Contains(s, "Skriv här") {
		t.Errorf("a placeholder read as a value:\n%s", s)
	}
}

// part is a part of a zip built by a test.
type zpart struct {
	name, body string
}

// contentTypesOf is a [Content_Types].xml naming docName the main document.
func contentTypesOf(docName string) zpart {
	return zpart{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/` + docName + `" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`}
}

// makeZip builds a zip of parts, deflated.
func makeZip(t *testing.T, parts ...zpart) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const docHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
 xmlns:v="urn:schemas-microsoft-com:vml"><w:body>`

const docTail = `<w:sectPr/></w:body></w:document>`

// docxOf is a docx whose body is body.
func docxOf(t *testing.T, body string, more ...zpart) []byte {
	t.Helper()
	parts := append([]zpart{contentTypesOf("word/document.xml"), {"word/document.xml", docHead + body + docTail}}, more...)
	return makeZip(t, parts...)
}

func text(t *testing.T, data []byte) (string, error) {
	t.Helper()
	return Text(bytes.NewReader(data), int64(len(data)), Limits{})
}

// mustText is Text of data, which must not fail.
func mustText(t *testing.T, data []byte) string {
	t.Helper()
	s, err := text(t, data)
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	return s
}

// TestElements covers what Text makes of each kind of element, in
// documents written by hand the way Word writes them.
func TestElements(t *testing.T) {
	checkbox := func(checked string) string {
		return `<w:sdt><w:sdtPr><w:id w:val="1"/><w14:checkbox><w14:checked w14:val="` + checked + `"/>` +
			`<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>` +
			`<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic"/></w:rPr><w:t>☐</w:t></w:r></w:sdtContent></w:sdt>`
	}
	formBox := func(ff string) string {
		return `<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Kryss1"/><w:enabled/><w:calcOnExit w:val="0"/>` +
			`<w:checkBox><w:sizeAuto/>` + ff + `</w:checkBox></w:ffData></w:fldChar></w:r>` +
			`<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`
	}
	tests := []struct {
		name, body, want string
	}{
		{"runs, tab and breaks",
			`<w:p><w:r><w:t xml:space="preserve">Namn: </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>Anna</w:t><w:tab/><w:t>Andersson</w:t></w:r></w:p>` +
				`<w:p><w:r><w:t>Vad hände?</w:t><w:br/><w:t>Rad ett</w:t><w:cr/><w:t>Rad två</w:t></w:r></w:p>`,
			"Namn: Anna Andersson\nVad hände?\nRad ett\nRad två"},
		{"empty paragraphs make one blank line",
			`<w:p><w:r><w:t>A</w:t></w:r></w:p><w:p/><w:p/><w:p><w:r><w:t>B</w:t></w:r></w:p>`,
			"A\n\nB"},
		{"hyperlink, smart tag, simple field result, no-break hyphen",
			`<w:p><w:r><w:t>E-post: </w:t></w:r><w:hyperlink r:id="rId5" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:r><w:t>anna@af.se</w:t></w:r></w:hyperlink></w:p>` +
				`<w:p><w:r><w:t>Telefon: 010</w:t><w:noBreakHyphen/><w:t>123</w:t></w:r></w:p>` +
				`<w:p><w:r><w:t xml:space="preserve">Datum: </w:t></w:r><w:fldSimple w:instr=" DATE "><w:r><w:t>2026-11-12</w:t></w:r></w:fldSimple></w:p>`,
			"E-post: anna@af.se\nTelefon: 010-123\nDatum: 2026-11-12"},
		{"field code out, result in",
			`<w:p><w:r><w:t xml:space="preserve">Datum: </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>` +
				`<w:r><w:instrText xml:space="preserve"> DATE \@ "yyyy-MM-dd" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>` +
				`<w:r><w:t>2026-11-12</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>`,
			"Datum: 2026-11-12"},
		{"deleted text out, inserted in",
			`<w:p><w:r><w:t xml:space="preserve">Nivå: </w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>Struktur</w:delText></w:r></w:del>` +
				`<w:ins w:id="2" w:author="A"><w:r><w:t>Organisering</w:t></w:r></w:ins></w:p>` +
				`<w:tbl><w:tr><w:trPr><w:del w:id="3" w:author="A"/></w:trPr><w:tc><w:p><w:r><w:t>Telefon</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`,
			"Nivå: Organisering"},
		{"check box content controls",
			`<w:p><w:r><w:t xml:space="preserve">Berörda parter: </w:t></w:r>` + checkbox("1") + `<w:r><w:t xml:space="preserve"> Försäkringskassan </w:t></w:r>` +
				checkbox("0") + `<w:r><w:t xml:space="preserve"> Arbetsförmedlingen</w:t></w:r></w:p>` +
				`<w:p>` + checkbox("1") + `<w:r><w:t>Kommun</w:t></w:r></w:p>`,
			"Berörda parter: [x] Försäkringskassan [ ] Arbetsförmedlingen\n[x] Kommun"},
		{"legacy check box form fields",
			`<w:p>` + formBox(`<w:default w:val="1"/>`) + `<w:r><w:t xml:space="preserve"> FK</w:t></w:r></w:p>` +
				`<w:p>` + formBox(`<w:default w:val="0"/>`) + `<w:r><w:t xml:space="preserve"> AF</w:t></w:r></w:p>` +
				`<w:p>` + formBox(`<w:default w:val="0"/><w:checked/>`) + `<w:r><w:t xml:space="preserve"> Region</w:t></w:r></w:p>` +
				`<w:p>` + formBox(`<w:default w:val="1"/><w:checked w:val="0"/>`) + `<w:r><w:t xml:space="preserve"> Kommun</w:t></w:r></w:p>`,
			"[x] FK\n[ ] AF\n[x] Region\n[ ] Kommun"},
		{"ballot boxes as text and symbols",
			`<w:p><w:r><w:t>☒Försäkringskassan ☐ Arbetsförmedlingen ☑ Region</w:t></w:r></w:p>` +
				`<w:p><w:r><w:sym w:font="Wingdings" w:char="F0FE"/><w:t xml:space="preserve"> Kommun </w:t><w:sym w:font="Wingdings" w:char="F0A8"/><w:t>Annan</w:t></w:r></w:p>`,
			"[x] Försäkringskassan [ ] Arbetsförmedlingen [x] Region\n[x] Kommun [ ] Annan"},
		{"labelled content controls, block and inline",
			`<w:sdt><w:sdtPr><w:alias w:val="Vad hände?"/><w:tag w:val="description"/></w:sdtPr><w:sdtContent>` +
				`<w:p><w:r><w:t>Rad ett</w:t></w:r></w:p><w:p><w:r><w:t>Rad två</w:t></w:r></w:p></w:sdtContent></w:sdt>` +
				`<w:p><w:r><w:t xml:space="preserve">Jag heter </w:t></w:r><w:sdt><w:sdtPr><w:tag w:val="reporter_name"/></w:sdtPr>` +
				`<w:sdtContent><w:r><w:t>Anna</w:t></w:r></w:sdtContent></w:sdt></w:p>` +
				`<w:p><w:sdt><w:sdtPr><w:tag w:val="Telefon"/></w:sdtPr><w:sdtContent><w:r><w:t>010-1</w:t></w:r></w:sdtContent></w:sdt></w:p>`,
			"Vad hände? Rad ett\nRad två\nJag heter\nNamn: Anna\nTelefon: 010-1"},
		{"a labelled control after its label gives its value alone",
			`<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Ditt namn:</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>` +
				`<w:sdt><w:sdtPr><w:alias w:val="Ditt namn"/><w:tag w:val="Ditt namn"/></w:sdtPr><w:sdtContent><w:r><w:t>Anna</w:t></w:r></w:sdtContent></w:sdt></w:p>` +
				`<w:p><w:r><w:t>Förslag på lösning:</w:t></w:r></w:p>` +
				`<w:sdt><w:sdtPr><w:tag w:val="Förslag på lösning"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Gemensam rutin</w:t></w:r></w:p></w:sdtContent></w:sdt>`,
			"Ditt namn: Anna\nFörslag på lösning:\nGemensam rutin"},
		{"placeholders are no value",
			`<w:p><w:r><w:t xml:space="preserve">Telefon: </w:t></w:r><w:sdt><w:sdtPr><w:tag w:val="Telefon"/><w:showingPlcHdr/></w:sdtPr>` +
				`<w:sdtContent><w:r><w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr><w:t>Klicka eller tryck här för att ange text.</w:t></w:r></w:sdtContent></w:sdt></w:p>` +
				`<w:p><w:sdt><w:sdtPr><w:alias w:val="Nivå"/></w:sdtPr><w:sdtContent><w:r><w:t>Skriv här</w:t></w:r></w:sdtContent></w:sdt></w:p>` +
				`<w:p><w:sdt><w:sdtPr><w:tag w:val="x1"/><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:r><w:t>Välj ett objekt.</w:t></w:r></w:sdtContent></w:sdt></w:p>`,
			"Telefon:\nNivå:"},
		{"a control without a label is its text",
			`<w:p><w:r><w:t xml:space="preserve">Organisation: </w:t></w:r><w:sdt><w:sdtPr><w:tag w:val="x1"/></w:sdtPr><w:sdtContent><w:r><w:t>AF</w:t></w:r></w:sdtContent></w:sdt>` +
				`<w:r><w:t xml:space="preserve"> Angered</w:t></w:r></w:p>`,
			"Organisation: AF Angered"},
		{"table rows",
			`<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>` +
				`<w:tr><w:tc><w:p><w:r><w:t>Datum för händelsen</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2026-11-12</w:t></w:r></w:p></w:tc></w:tr>` +
				`<w:tr><w:tc><w:p><w:r><w:t>Vad hände?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Ett</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>Två</w:t></w:r></w:p></w:tc></w:tr>` +
				`<w:tr><w:tc><w:p><w:r><w:t>Övrigt:</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr>` +
				`<w:tr><w:tc><w:p><w:r><w:t>Berörda parter</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>☒ FK</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>☐ AF</w:t></w:r></w:p></w:tc></w:tr>` +
				`<w:tr><w:tc><w:p><w:r><w:t>Anna</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Andersson</w:t></w:r></w:p></w:tc></w:tr>` +
				`<w:tr><w:tc><w:p><w:r><w:t>Namn:</w:t></w:r></w:p></w:tc><w:tc><w:p><w:sdt><w:sdtPr><w:tag w:val="Namn"/></w:sdtPr><w:sdtContent><w:r><w:t>Anna</w:t></w:r></w:sdtContent></w:sdt></w:p></w:tc></w:tr>` +
				`<w:tr><w:tc><w:p><w:r><w:t>Organisation</w:t></w:r></w:p></w:tc></w:tr>` +
				`</w:tbl>`,
			"Datum för händelsen: 2026-11-12\nVad hände? Ett\n\nTvå\nÖvrigt:\nBerörda parter: [x] FK [ ] AF\nAnna Andersson\nNamn: Anna\nOrganisation"},
		{"nested table in a value cell",
			`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Parter</w:t></w:r></w:p></w:tc><w:tc>` +
				`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>☒</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>FK</w:t></w:r></w:p></w:tc></w:tr>` +
				`<w:tr><w:tc><w:p><w:r><w:t>☒</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>AF</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/>` +
				`</w:tc></w:tr></w:tbl>`,
			"Parter: [x] FK\n[x] AF"},
		{"a text box is read once, its fallback left out",
			`<w:p><w:r><w:t>Före</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>` +
				`<w:p><w:r><w:t>Nivå: Individ</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice>` +
				`<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Nivå: Individ</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>` +
				`</mc:AlternateContent></w:r><w:r><w:t>Efter</w:t></w:r></w:p>`,
			"Före\nNivå: Individ\nEfter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustText(t, docxOf(t, tt.body))
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestOnlyDocument checks that headers, footers and comments are not read.
func TestOnlyDocument(t *testing.T) {
	other := func(root, text string) string {
		return `<w:` + root + ` xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:r><w:t>` + text + `</w:t></w:r></w:p></w:` + root + `>`
	}
	data := docxOf(t, `<w:p><w:r><w:t>Namn: Anna</w:t></w:r><w:commentReference w:id="0"/></w:p>`,
		zpart{"word/header1.xml", other("hdr", "Telefon: 1")},
		zpart{"word/footer1.xml", other("ftr", "Telefon: 2")},
		zpart{"word/comments.xml", other("comments", "Telefon: 3")},
	)
	if got := mustText(t, data); got != "Namn: Anna" {
		t.Errorf("got %q, want only the document's text", got)
	}
}

// TestMainPart finds the main document by [Content_Types].xml, by the
// package relationship, and at word/document.xml.
func TestMainPart(t *testing.T) {
	body := docHead + `<w:p><w:r><w:t>Namn: Anna</w:t></w:r></w:p>` + docTail
	decoy := docHead + `<w:p><w:r><w:t>Namn: Fel</w:t></w:r></w:p>` + docTail
	rels := zpart{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/Word/Main.xml"/></Relationships>`}
	for name, parts := range map[string][]zpart{
		"content types": {contentTypesOf("word/main.xml"), {"word/main.xml", body}, {"word/document.xml", decoy}},
		"relationship":  {rels, {"word/main.xml", body}, {"word/document.xml", decoy}},
		"fallback":      {{"word/document.xml", body}},
	} {
		if got := mustText(t, makeZip(t, parts...)); got != "Namn: Anna" {
			t.Errorf("%s: got %q", name, got)
		}
	}
	_, err := text(t, makeZip(t, contentTypesOf("word/document.xml"), zpart{"word/other.xml", body}))
	wantError(t, err, "word/document.xml saknas")
}

// wantError checks that err is an *Error whose Reason has want in it.
func wantError(t *testing.T, err error, want string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *Error", err)
	}
	if !strings.Contains(e.Reason, want) {
		t.Errorf("Reason %q, want it to say %q", e.Reason, want)
	}
	if e.Error() == "" || strings.Contains(e.Error(), "dokument") {
		t.Errorf("Error() %q, want it in English", e.Error())
	}
	return e
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// writeZipFile writes a zip to a temporary file through fill and returns
// the file, open.
func writeZipFile(t *testing.T, fill func(zw *zip.Writer) error) (*os.File, int64) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.docx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	zw := zip.NewWriter(f)
	if err := fill(zw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, st.Size()
}

// writePart writes a part of n bytes from chunk, repeated, with method.
func writePart(zw *zip.Writer, name string, method uint16, n int, chunk func([]byte)) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(buf))
		chunk(buf[:k])
		if _, err := w.Write(buf[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// TestZipBomb reads a document.xml of 200 MB of spaces, deflated to a few
// hundred kB: it is turned away by its size before it is unpacked, or by
// its ratio, or by the total, whichever limit is lowest.
func TestZipBomb(t *testing.T) {
	f, size := writeZipFile(t, func(zw *zip.Writer) error {
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		ct := contentTypesOf("word/document.xml")
		w, err := zw.Create(ct.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, ct.body); err != nil {
			return err
		}
		return writePart(zw, "word/document.xml", zip.Deflate, 200<<20, func(b []byte) {
			for i := range b {
				b[i] = ' '
			}
		})
	})
	t.Logf("200 MB of spaces zipped to %d bytes", size)
	r := &countingReaderAt{r: f}
	_, err := Text(r, size, Limits{})
	wantError(t, err, "packas upp till 200 MB, mer än de 10 MB")
	if r.n.Load() > 1<<20 {
		t.Errorf("read %d bytes of the bomb, want it turned away unread", r.n.Load())
	}
	_, err = Text(f, size, Limits{MaxEntryBytes: 1 << 30, MaxTotalBytes: 1 << 30})
	wantError(t, err, "mer än 100 gånger sin storlek")
	_, err = Text(f, size, Limits{MaxEntryBytes: 1 << 30, MaxRatio: 1 << 20})
	wantError(t, err, "dokumentet packas upp till mer än 20 MB")
}

// TestLyingHeader reads a part whose header says it unpacks to 1 kB but
// which unpacks to 5 MB: the header is not trusted.
func TestLyingHeader(t *testing.T) {
	var body bytes.Buffer
	body.WriteString(docHead)
	body.WriteString(strings.Repeat("<w:p/>", 5<<20/6))
	body.WriteString(docTail)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(body.Bytes())
	fw.Close()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(body.Bytes()), CompressedSize64: uint64(comp.Len()), UncompressedSize64: 1000})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	_, err = text(t, b.Bytes())
	wantError(t, err, "skadat")
}

// TestPartLimits checks the limits counted while a part is unpacked, which
// the header checks in front of them mostly leave nothing to do.
func TestPartLimits(t *testing.T) {
	read := func(lim Limits, n int, comp uint64) error {
		pk := &pkg{lim: lim.withDefaults()}
		rc := io.NopCloser(bytes.NewReader(make([]byte, n)))
		p := &part{rc: rc, r: io.LimitReader(rc, pk.lim.MaxEntryBytes+1), pk: pk, name: "word/document.xml", comp: comp}
		_, err := io.Copy(io.Discard, p)
		return err
	}
	if err := read(Limits{}, 3<<20, 1<<20); err != nil {
		t.Errorf("3 MB from 1 MB: %v", err)
	}
	wantError(t, read(Limits{}, 3<<20, 1<<10), "gånger sin storlek")
	wantError(t, read(Limits{MaxEntryBytes: 2 << 20}, 3<<20, 1<<20), "packas upp till mer än 2 MB")
	wantError(t, read(Limits{MaxTotalBytes: 2 << 20}, 3<<20, 1<<20), "dokumentet packas upp till mer än 2 MB")
}

// TestLargeImage reads a document with a 50 MB image: Text reads its
// document.xml and nothing of the image.
func TestLargeImage(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{1})
	f, size := writeZipFile(t, func(zw *zip.Writer) error {
		for _, p := range []zpart{contentTypesOf("word/document.xml"),
			{"word/document.xml", docHead + `<w:p><w:r><w:t>Namn: Anna</w:t></w:r><w:r><w:drawing/></w:r></w:p>` + docTail}} {
			w, err := zw.Create(p.name)
			if err != nil {
				return err
			}
			if _, err := io.WriteString(w, p.body); err != nil {
				return err
			}
		}
		return writePart(zw, "word/media/image1.png", zip.Store, 50<<20, func(b []byte) { rng.Read(b) })
	})
	r := &countingReaderAt{r: f}
	got, err := Text(r, size, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got != "Namn: Anna" {
		t.Errorf("got %q", got)
	}
	if n := r.n.Load(); n > 1<<20 {
		t.Errorf("read %d bytes of a %d byte file, want far fewer than the image's 50 MB", n, size)
	}
}

// TestTooManyEntries reads a zip of 5000 entries: it is turned away on the
// count in its last record, before its directory is read.
func TestTooManyEntries(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := range 5000 {
		if _, err := zw.Create("word/media/" + strings.Repeat("x", 40) + string(rune('a'+i%26)) + "/" + itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := zw.Create("word/document.xml"); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	r := &countingReaderAt{r: bytes.NewReader(b.Bytes())}
	_, err := Text(r, int64(b.Len()), Limits{})
	wantError(t, err, "fler delar än de 1000")
	if n := r.n.Load(); n > 70<<10 {
		t.Errorf("read %d bytes of a %d byte directory", n, b.Len())
	}
	// The count of the directory itself, where the last record has none.
	if err := checkEntries(bytes.NewReader(b.Bytes()), int64(b.Len()), 10000); err != nil {
		t.Errorf("5000 entries within 10000: %v", err)
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// TestNotDocx reads files that are no docx.
func TestNotDocx(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":   {nil, "zip-arkiv"},
		"text":    {[]byte("Namn: Anna\nOrganisation: AF\n" + strings.Repeat("x", 100)), "zip-arkiv"},
		"pdf":     {[]byte("%PDF-1.7\n" + strings.Repeat("0", 1000)), "zip-arkiv"},
		"old doc": {append(slices.Clone(oleMagic), make([]byte, 1000)...), "gammalt Word-dokument"},
		"broken zip": {func() []byte {
			d := docxOf(t, `<w:p/>`)
			return d[len(d)-100:]
		}(), "zip-arkiv"},
		"zip without document": {makeZip(t, zpart{"mimetype", "application/vnd.oasis.opendocument.text"}, zpart{"content.xml", "<x/>"}), "word/document.xml saknas"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := text(t, c.data)
			wantError(t, err, c.want)
		})
	}
}

// TestMalformed reads documents whose XML is broken, nested too deep or
// whose data is damaged.
func TestMalformed(t *testing.T) {
	doc := func(xml string) []byte {
		return makeZip(t, contentTypesOf("word/document.xml"), zpart{"word/document.xml", xml})
	}
	stored := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "word/document.xml", Method: zip.Store})
		io.WriteString(w, docHead+`<w:p><w:r><w:t>Namn: Anna</w:t></w:r></w:p>`+docTail)
		zw.Close()
		d := b.Bytes()
		i := bytes.Index(d, []byte("Anna"))
		d[i] = 'E' // still XML, but no longer what its checksum says
		return d
	}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"unclosed":      {doc(docHead + `<w:p><w:r><w:t>Namn</w:t></w:r>`), "inte giltig XML"},
		"mismatched":    {doc(docHead + `<w:p></w:r>` + docTail), "inte giltig XML (rad"},
		"not xml":       {doc("Namn: Anna"), "inte giltig XML"},
		"content types": {makeZip(t, zpart{"[Content_Types].xml", "<Types><Override"}, zpart{"word/document.xml", docHead + docTail}), "[Content_Types].xml är inte giltig XML"},
		"too deep":      {doc(docHead + strings.Repeat("<w:r>", 1000) + strings.Repeat("</w:r>", 1000) + docTail), "för djupt nästlad"},
		"checksum":      {stored(), "skadat"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := text(t, c.data)
			wantError(t, err, c.want)
		})
	}
}

func TestIsDocx(t *testing.T) {
	for _, c := range []struct {
		name, ct string
		want     bool
	}{
		{"Blankett.docx", "", true},
		{"BLANKETT.DOCX", "application/octet-stream", true},
		{"", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true},
		{"x", "Application/vnd.openxmlformats-officedocument.wordprocessingml.document; name=\"x\"", true},
		{"blankett.doc", "application/msword", false},
		{"blankett.pdf", "application/pdf", false},
		{"docx", "", false},
		{"", "", false},
	} {
		if got := IsDocx(c.name, c.ct); got != c.want {
			t.Errorf("IsDocx(%q, %q) = %v", c.name, c.ct, got)
		}
	}
}

// labelLines are the blank form's lines from its first label on: the
// lines Text of its Word document must give back.
func labelLines(t *testing.T, form, first string) []string {
	t.Helper()
	i := strings.Index(form, "\n"+first)
	if i < 0 {
		t.Fatalf("no %q in the blank form", first)
	}
	var out []string
	for _, l := range strings.Split(form[i+1:], "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestBlank writes the blank blanket in Swedish and English: a zip of the
// parts of a minimal Word document, each well-formed XML, whose text gives
// back every label line of the form, placeholders left out.
func TestBlank(t *testing.T) {
	for _, c := range []struct{ lang, file, first, placeholder string }{
		{"sv", "../../templates/sv/blankett.txt", "Datum för händelsen:", "Skriv här"},
		{"en", "../../templates/en/form.txt", "Date of event:", "Write here"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			form, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := Blank(&b, string(form), c.lang); err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				d := xml.NewDecoder(rc)
				for {
					if _, err := d.Token(); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("%s: %v", f.Name, err)
					}
				}
				rc.Close()
			}
			want := []string{"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/styles.xml", "word/document.xml"}
			if !slices.Equal(names, want) {
				t.Errorf("parts %q, want %q", names, want)
			}
			doc, err := text(t, b.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			labels := labelLines(t, string(form), c.first)
			hasLines(t, doc, labels...)
			if strings.Contains(doc, c.placeholder) {
				t.Errorf("placeholder %q read as a value:\n%s", c.placeholder, doc)
			}
			// Each label line has a content control tagged with its label.
			raw := partText(t, zr, "word/document.xml")
			for _, l := range labels {
				l, _, _ = strings.Cut(l, "? ")
				tag := strings.TrimSuffix(l, ":")
				if !strings.Contains(raw, `<w:tag w:val="`+esc(tag)) {
					t.Errorf("no content control tagged %q", tag)
				}
			}
		})
	}
	if err := Blank(io.Discard, " \n", "sv"); err == nil {
		t.Error("Blank of an empty form: no error")
	}
}

func partText(t *testing.T, zr *zip.Reader, name string) string {
	t.Helper()
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzText checks that no input makes Text panic, and that it fails only
// with an *Error.
func FuzzText(f *testing.F) {
	for _, name := range []string{"paragraphs.docx", "table.docx", "blank-filled.docx"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	var b bytes.Buffer
	if err := Blank(&b, "Rubrik\n\nNamn:\nFår vi kontakta dig? Ja\n", "sv"); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Text(bytes.NewReader(data), int64(len(data)), Limits{})
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Errorf("error %v (%T), want an *Error", err, err)
		}
	})
}
