package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// item is one paragraph of the blank blanket.
type item struct {
	kind  int    // headingItem, textItem, blankItem or fieldItem
	text  string // the text; a field's label as written ("Ditt namn:")
	value string // a field's default value ("Ja")
	multi bool   // a field of many lines (a blank line follows it)
}

// Kinds of item.
const (
	headingItem = iota
	textItem
	blankItem
	fieldItem
)

// maxDefault is the most characters a label line's default value has.
const maxDefault = 20

// parseBlank reads the blank blanket as text: its first line is the
// heading; a line starting with a label and ":" or "?", then nothing or a
// one-word default value, is a field; after the first field, any short
// line ending in ":" or "?" is one too; instruction lines wrapped at a
// width are joined into paragraphs.
func parseBlank(form string) []item {
	form = strings.TrimRightFunc(strings.ReplaceAll(form, "\r\n", "\n"), unicode.IsSpace)
	lines := strings.Split(form, "\n")
	var items []item
	seenField := false
	for i, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			if len(items) > 0 {
				items = append(items, item{kind: blankItem})
			}
			continue
		case len(items) == 0:
			items = append(items, item{kind: headingItem, text: l})
			continue
		}
		next := ""
		if i+1 < len(lines) {
			next = strings.TrimSpace(lines[i+1])
		}
		if label, value, ok := labelLine(l, seenField); ok {
			seenField = true
			items = append(items, item{kind: fieldItem, text: label, value: value, multi: next == "" && i+1 < len(lines)})
			continue
		}
		if last := &items[len(items)-1]; last.kind == textItem && !strings.ContainsAny(lastRune(last.text), ".!?:") {
			last.text += " " + l
			continue
		}
		items = append(items, item{kind: textItem, text: l})
	}
	for len(items) > 0 && items[len(items)-1].kind == blankItem {
		items = items[:len(items)-1]
	}
	return items
}

func lastRune(s string) string {
	r, _ := utf8.DecodeLastRuneInString(s)
	return string(r)
}

// labelLine reads a field's line: a label and its ":" or "?", then a
// default value of one word or none. Labels not among the blanket's count
// only after the first field (loose).
func labelLine(l string, loose bool) (label, value string, ok bool) {
	for i, r := range l {
		if r != ':' && r != '?' {
			continue
		}
		end := i + 1
		if r == '?' && strings.HasPrefix(l[end:], ":") {
			end++
		}
		label, value = l[:end], strings.TrimSpace(l[end:])
		if !isKnown(label) && !(loose && labelish(label)) {
			continue
		}
		if strings.ContainsAny(value, " \t") || utf8.RuneCountInString(value) > maxDefault {
			return "", "", false
		}
		return label, value, true
	}
	return "", "", false
}

// The namespaces and types of the parts Blank writes.
const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRels    = "http://schemas.openxmlformats.org/package/2006/relationships"
	relStyles = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
	xmlHead   = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// Blank writes the blank blanket as a Word document: the lines of
// blankForm (the blank blanket as text: a heading, instructions, then
// "Label:" or "Label?" lines, a label possibly followed by a default value
// like "Ja") become paragraphs, instruction lines wrapped at a width
// joined into one; each label line becomes a paragraph with the label in
// bold and, after it, a plain-text content control (w:sdt) whose w:tag and
// w:alias are the label without a trailing ":", showing the placeholder
// "Skriv här" (lang "en": "Write here") or holding the default value.
func Blank(w io.Writer, blankForm, lang string) error {
	items := parseBlank(blankForm)
	if len(items) == 0 {
		return errors.New("docx: blank form is empty")
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", packageRels},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/styles.xml", styles(lang)},
		{"word/document.xml", blankDocument(items, lang)},
	}
	zw := zip.NewWriter(w)
	// A fixed time, so that the same form gives the same bytes.
	mod := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range parts {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: mod})
		if err != nil {
			return fmt.Errorf("docx: write %s: %w", p.name, err)
		}
		if _, err := io.WriteString(fw, p.body); err != nil {
			return fmt.Errorf("docx: write %s: %w", p.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("docx: write zip: %w", err)
	}
	return nil
}

const contentTypes = xmlHead + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`</Types>`

const packageRels = xmlHead + `<Relationships xmlns="` + nsRels + `">` +
	`<Relationship Id="rId1" Type="` + officeDocumentRel + `" Target="word/document.xml"/>` +
	`</Relationships>`

const documentRels = xmlHead + `<Relationships xmlns="` + nsRels + `">` +
	`<Relationship Id="rId1" Type="` + relStyles + `" Target="styles.xml"/>` +
	`</Relationships>`

// styles is word/styles.xml: the default font and language, a heading and
// Word's style for placeholder text.
func styles(lang string) string {
	lc := "sv-SE"
	if lang == "en" {
		lc = "en-GB"
	}
	return xmlHead + `<w:styles xmlns:w="` + nsW + `">` +
		`<w:docDefaults><w:rPrDefault><w:rPr>` +
		`<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>` +
		`<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="` + lc + `" w:eastAsia="en-US" w:bidi="ar-SA"/>` +
		`</w:rPr></w:rPrDefault>` +
		`<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>` +
		`</w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>` +
		`<w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="240"/><w:outlineLvl w:val="0"/></w:pPr>` +
		`<w:rPr><w:b/><w:bCs/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>` +
		`<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/>` +
		`<w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>` +
		`<w:style w:type="character" w:styleId="PlaceholderText"><w:name w:val="Placeholder Text"/>` +
		`<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:semiHidden/><w:rPr><w:color w:val="808080"/></w:rPr></w:style>` +
		`</w:styles>`
}

// blankDocument is word/document.xml of the blank blanket.
func blankDocument(items []item, lang string) string {
	placeholder := "Skriv här"
	if lang == "en" {
		placeholder = "Write here"
	}
	var b strings.Builder
	b.WriteString(xmlHead + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>`)
	id := 1000
	for _, it := range items {
		switch it.kind {
		case headingItem:
			b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>`)
			run(&b, it.text, "")
			b.WriteString(`</w:p>`)
		case textItem:
			b.WriteString(`<w:p>`)
			run(&b, it.text, "")
			b.WriteString(`</w:p>`)
		case blankItem:
			b.WriteString(`<w:p/>`)
		case fieldItem:
			id++
			tag := strings.TrimSuffix(it.text, ":")
			b.WriteString(`<w:p>`)
			run(&b, it.text, `<w:b/>`)
			run(&b, " ", "")
			b.WriteString(`<w:sdt><w:sdtPr>`)
			fmt.Fprintf(&b, `<w:alias w:val="%s"/><w:tag w:val="%s"/><w:id w:val="%d"/>`, esc(tag), esc(tag), id)
			if it.value == "" {
				b.WriteString(`<w:showingPlcHdr/>`)
			}
			if it.multi {
				b.WriteString(`<w:text w:multiLine="1"/>`)
			} else {
				b.WriteString(`<w:text/>`)
			}
			b.WriteString(`</w:sdtPr><w:sdtContent>`)
			if it.value == "" {
				run(&b, placeholder, `<w:rStyle w:val="PlaceholderText"/>`)
			} else {
				run(&b, it.value, "")
			}
			b.WriteString(`</w:sdtContent></w:sdt></w:p>`)
		}
	}
	// A4 with 2.5 cm margins.
	b.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>` +
		`<w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="708" w:footer="708" w:gutter="0"/>` +
		`</w:sectPr></w:body></w:document>`)
	return b.String()
}

// run writes a run of text s with run properties rPr.
func run(b *strings.Builder, s, rPr string) {
	b.WriteString(`<w:r>`)
	if rPr != "" {
		b.WriteString(`<w:rPr>` + rPr + `</w:rPr>`)
	}
	b.WriteString(`<w:t xml:space="preserve">` + esc(s) + `</w:t></w:r>`)
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// BlankFile writes Blank to the file at path, replacing one there.
func BlankFile(path, blankForm, lang string) error {
	var b bytes.Buffer
	if err := Blank(&b, blankForm, lang); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
