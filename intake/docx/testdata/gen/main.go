// Command gen writes the test files of package docx that LibreOffice does
// not make: the blank blanket of templates/sv/blankett.txt written by
// docx.Blank and filled in by editing its XML (make.sh then has
// LibreOffice write it again), and the seeds of FuzzText.
//
//	go run ./gen -form ../../../templates/sv/blankett.txt -filled OUT.docx -seeds fuzz/FuzzText
package main

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"lexheller/intake/docx"
)

// values fill the blank blanket's content controls, by tag.
var values = map[string][]string{
	"Datum för händelsen": {"2026-11-12"},
	"Ditt namn":           {"Anna Andersson"},
	"E-post":              {"anna.andersson@arbetsformedlingen.se"},
	"Telefon":             {"010-123 45 67"},
	"Organisation":        {"Arbetsförmedlingen Angered"},
	"Samordningsförbund":  {"Samordningsförbundet Göteborg Nordost"},
	"Berörda parter":      {"Försäkringskassan, Arbetsförmedlingen"},
	"Nivå":                {"Organisering"},
	// One line: LibreOffice takes a line break out of a content control.
	"Vad hände?":                           {"Person med aktivitetsstöd sjukskrivs. Sjukskrivningen godkänns inte av FK. AF anser att personen är sjuk och aktivitetsstödet dras in."},
	"Konsekvens för individen":             {"Personen har ingen ersättning och hälsan försämras."},
	"Förslag på lösning":                   {"Gemensam rutin mellan AF och FK för avstämning innan beslut."},
	"Får ärendet publiceras anonymiserat?": {"Ja"},
}

func main() {
	form := flag.String("form", "", "the blank blanket as text")
	filled := flag.String("filled", "", "write the filled-in blank blanket here")
	seeds := flag.String("seeds", "", "write FuzzText's seeds to this directory")
	flag.Parse()
	if *filled != "" {
		text, err := os.ReadFile(*form)
		if err != nil {
			log.Fatal(err)
		}
		var b bytes.Buffer
		if err := docx.Blank(&b, string(text), "sv"); err != nil {
			log.Fatal(err)
		}
		out, err := rewrite(b.Bytes(), "word/document.xml", fill, zip.Deflate)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(*filled, out, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if *seeds != "" {
		if err := writeSeeds(*seeds); err != nil {
			log.Fatal(err)
		}
	}
}

// fill writes values into the content controls of document.xml: each
// control tagged with a field loses its placeholder and holds the value,
// its lines broken by w:br.
func fill(doc string) string {
	parts := strings.Split(doc, "<w:sdt>")
	for i, p := range parts[1:] {
		tag := between(p, `<w:tag w:val="`, `"`)
		v, ok := values[tag]
		if !ok {
			continue
		}
		var runs []string
		for _, l := range v {
			runs = append(runs, `<w:t xml:space="preserve">`+l+`</w:t>`)
		}
		content := `<w:r>` + strings.Join(runs, `<w:br/>`) + `</w:r>`
		start := strings.Index(p, "<w:sdtContent>") + len("<w:sdtContent>")
		end := strings.Index(p, "</w:sdtContent>")
		p = p[:start] + content + p[end:]
		parts[i+1] = strings.Replace(p, "<w:showingPlcHdr/>", "", 1)
	}
	return strings.Join(parts, "<w:sdt>")
}

func between(s, from, to string) string {
	_, s, _ = strings.Cut(s, from)
	s, _, _ = strings.Cut(s, to)
	return s
}

// rewrite copies the zip in, with the part named name edited by edit and
// all parts written with method.
func rewrite(in []byte, name string, edit func(string) string, method uint16) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		if f.Name == name {
			body = []byte(edit(string(body)))
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: method, Modified: f.Modified})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// features is a document.xml with what Text reads, small enough for the
// fuzzer to change: a label paragraph, a labelled content control, check
// boxes of both kinds, a field, deleted and inserted text, and a table.
const features = `<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:body>
<w:p><w:r><w:t>Namn: Anna</w:t><w:tab/><w:t>A</w:t><w:br/><w:t>x</w:t></w:r></w:p>
<w:sdt><w:sdtPr><w:tag w:val="Organisation"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>AF</w:t></w:r></w:p></w:sdtContent></w:sdt>
<w:p><w:r><w:t>Parter:</w:t></w:r><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☒</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t>FK</w:t></w:r>
<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="0"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText>FORMCHECKBOX</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>AF</w:t></w:r></w:p>
<w:p><w:del><w:r><w:delText>gammalt</w:delText></w:r></w:del><w:ins><w:r><w:t>☐ nytt</w:t></w:r></w:ins></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Vad hände?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Ett</w:t></w:r></w:p><w:p><w:r><w:t>Två</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>`

// writeSeeds writes FuzzText's seeds in Go's corpus format: the features
// document stored (so that the fuzzer changes its XML) and deflated.
func writeSeeds(dir string) error {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"word/document.xml", features},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	deflated, err := rewrite(b.Bytes(), "", nil, zip.Deflate)
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{"stored": b.Bytes(), "deflated": deflated} {
		seed := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(seed), 0o644); err != nil {
			return err
		}
	}
	return nil
}
